// P3 — fan-out: 5,000 sockets (a separate client process) subscribed to one
// project's queue room on the real server (its own process) while 200 claims/s
// arrive over HTTP. Measured: how long until each client's count includes each
// claim (staleness), messages delivered per second, the server's event-loop lag
// and memory over the run. Beside it, in the same run, the reference line: a bare
// Socket.IO server broadcasting 10 small messages/s to as many sockets.
// Goals: staleness p99 ≤ 500 ms, loop lag p99 ≤ 100 ms, memory flat (retained heap
// after a warm-up in which every contributor claims once).
import pg from "pg";
import { startChild, startServer, type Child } from "./lib/children";
import { BENCH_JWT_SECRET } from "./lib/deps";
import { HttpClient } from "./lib/http-client";
import { isMain, progress, ratio, runAsScript, type Row, type ScenarioResult } from "./lib/report";
import type { ServerStats } from "./lib/probe";
import { seedProject } from "./lib/seed";
import { startServices } from "./lib/services";
import { fmt, mean, sleep, wallMs } from "./lib/stats";

interface Staleness {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  missed: number;
  /** Shown more than 1 ms before the commit was noted (Redis counts a claim when it decides; PostgreSQL commits after). */
  early: number;
}

export async function p3Scenario(): Promise<Omit<ScenarioResult, "seconds">> {
  const sockets = Number(process.env.BENCH_SOCKETS ?? 5000);
  const rate = Number(process.env.BENCH_CLAIM_RATE ?? 200);
  const seconds = Number(process.env.BENCH_P3_SECONDS ?? 30);
  const svc = await startServices({ label: "p3" });
  const children: Child[] = [];
  try {
    progress(`seeding ${sockets} contributors`);
    const project = await seedProject(svc.databaseUrl, { contributors: sockets, tasks: sockets + Math.round(rate * (seconds + 10) * 1.2), jwtSecret: BENCH_JWT_SECRET });
    const tokens = project.contributors.map((c) => c.token);

    // The reference line first: bare Socket.IO, same sockets, 10 messages/s.
    progress(`bare Socket.IO: connecting ${sockets} sockets`);
    const bare = startChild("p3/bare-server.ts", {});
    children.push(bare);
    const { port } = await bare.next<{ port: number }>("ready");
    const bareClients = startChild("p3/clients.ts", {});
    children.push(bareClients);
    const bareConn = await bareClients.request<{ ok: number; failed: number; seconds: number }>(
      { type: "connect", url: `http://127.0.0.1:${port}`, tokens, event: "tick", batch: 250 },
      "connected",
    );
    await bareClients.request({ type: "mark" });
    await bare.request({ type: "stats-reset" });
    await bare.request({ type: "start" });
    progress(`bare Socket.IO: ${seconds} s of broadcasts`);
    await sleep(seconds * 1000);
    const bareStats = await bare.request<{ stats: ServerStats }>({ type: "stats" });
    const bareReport = await bareClients.request<{ connected: number; perSecond: number; latency: Staleness }>({ type: "report" });
    await bareClients.stop();
    await bare.stop();

    progress(`our server: connecting ${sockets} sockets`);
    const retained = process.env.BENCH_RETAINED === "1";
    const server = await startServer({ REDIS_URL: svc.redisUrl, DATABASE_URL: svc.databaseUrl }, ["--expose-gc"]);
    children.push(server);
    const clients = startChild("p3/clients.ts", {});
    children.push(clients);
    const room = `project:${project.projectId}:queue`;
    const conn = await clients.request<{ ok: number; failed: number; seconds: number }>(
      { type: "connect", url: server.url, tokens, room, event: "queue:changed", nodeId: project.nodeId, batch: 250 },
      "connected",
    );
    if (conn.ok < sockets) progress(`${conn.failed} sockets failed to connect or subscribe`);
    const http = new HttpClient(server.url);
    const heldBefore = await retainedOf(server);
    // Warm-up: every contributor claims once, as on a server that has been running:
    // the engine builds the queue state, and the per-person caches (actors, claim
    // keys) fill to the size this population keeps. The window then shows whether
    // memory grows with the work itself.
    progress(`our server: warm-up, one claim per contributor`);
    // The window reuses the warm-up's connections: the server keeps idle ones open
    // HTTP_KEEP_ALIVE_SECONDS (65 s), well past the mark below.
    await warmUp(http, project, sockets);
    await sleep(1500);
    // Every client counts from the true number of claims held now (nothing is in flight).
    const baseline = await activeClaims(svc.databaseUrl, project.projectId);
    const { behind } = await clients.request<{ behind: number }>({ type: "mark", baseline });
    if (behind) progress(`${behind} clients had not yet shown the warm-up claims at the mark`);
    const heldFrom = await retainedOf(server);
    await server.resetStats();
    progress(`our server: ${seconds} s at ${rate} claims/s`);
    const driven = await drive(http, project, rate, seconds);
    await sleep(2000); // the last flushes land
    const stats = await server.stats();
    const heldTo = await retainedOf(server);
    const { commits } = await server.request<{ commits: number[] }>({ type: "commits" });
    const report = await clients.request<{ connected: number; perSecond: number; fromCommit: Staleness; fromAnswered: Staleness }>(
      { type: "report", commits: { committed: commits.sort((a, b) => a - b), answered: driven.answered } },
      "report",
    );
    http.close();

    const growth = (series: number[]) => {
      const q = Math.max(1, Math.floor(series.length / 4));
      return mean(series.slice(-q)) / mean(series.slice(0, q)) - 1;
    };
    const rssGrowth = growth(stats.rssSeries);
    const heldGrowth = heldTo.heapMb / heldFrom.heapMb - 1;
    const quarters = (series: number[]) => {
      const q = Math.max(1, Math.floor(series.length / 4));
      return [0, 1, 2, 3].map((i) => mean(series.slice(i * q, i === 3 ? series.length : (i + 1) * q)));
    };
    const rows: Row[] = [
      { line: "bare Socket.IO: delivery p50 / p99", value: bareReport.latency.p50, unit: `ms / ${fmt(bareReport.latency.p99, 1)} ms`, detail: `${bareConn.ok} sockets, 10 msgs/s` },
      { line: "bare Socket.IO: delivered", value: bareReport.perSecond, unit: "msgs/s" },
      { line: "bare Socket.IO: loop lag p99", value: bareStats.stats.lagP99, unit: "ms", detail: `RSS ${bareStats.stats.rssSeries[0] ?? "?"} → ${bareStats.stats.rssMb} MB` },
      { line: "ours: sockets subscribed", value: conn.ok, unit: "sockets", detail: `connected in ${fmt(conn.seconds, 1)} s, ${report.connected} still connected at the end` },
      { line: "ours: claims committed", value: driven.perSecond, unit: "claims/s", detail: `${driven.errors} errors` },
      { line: "ours: staleness p50 / p99", value: report.fromCommit.p50, unit: `ms / ${fmt(report.fromCommit.p99, 0)} ms`, detail: `max ${fmt(report.fromCommit.max, 0)} ms, ${report.fromCommit.missed} of ${report.fromCommit.samples + report.fromCommit.missed} never shown, ${fmt((100 * report.fromCommit.early) / Math.max(1, report.fromCommit.samples), 0)}% shown before the commit` },
      { line: "ours: the same from the claim's answer", value: report.fromAnswered.p50, unit: `ms / ${fmt(report.fromAnswered.p99, 0)} ms`, detail: "client-side view" },
      { line: "ours: delivered", value: report.perSecond, unit: "msgs/s" },
      { line: "ours: loop lag p50 / p99", value: stats.lagP50, unit: `ms / ${fmt(stats.lagP99, 1)} ms`, detail: `max ${fmt(stats.lagMax, 0)} ms` },
      { line: "ours: RSS first → last second", value: stats.rssSeries[0] ?? NaN, unit: `MB → ${stats.rssSeries.at(-1)} MB`, detail: `heap ${stats.heapSeries[0]} → ${stats.heapSeries.at(-1)} MB` },
      { line: "ours: retained heap", value: heldBefore.heapMb, unit: `MB → ${fmt(heldFrom.heapMb, 1)} → ${fmt(heldTo.heapMb, 1)} MB`, detail: "after a full collection: sockets connected → after the warm-up → end of the window" },
      { line: "ours: RSS growth, last vs first quarter", value: rssGrowth, unit: "", detail: "includes garbage not yet collected" },
      { line: "ours: heap by quarter of the window", value: quarters(stats.heapSeries)[0] ?? NaN, unit: `MB → ${quarters(stats.heapSeries).slice(1).map((q) => fmt(q, 1)).join(" → ")} MB`, detail: retained ? "retained: collected before each sample" : "includes garbage not yet collected" },
    ];
    return {
      id: "p3",
      title: `P3 fan-out — ${sockets.toLocaleString("en-US")} sockets, ${rate} claims/s for ${seconds} s`,
      rows,
      ratios: [
        ratio("staleness p99, ms", report.fromCommit.p99, { atMost: 500 }),
        ratio("server loop lag p99, ms", stats.lagP99, { atMost: 100 }),
        ratio("retained heap growth over the window", heldGrowth, { atMost: 0.1, text: "≤ 0.10 (flat)" }),
        ratio("delivered msgs/s, ours / bare", report.perSecond / bareReport.perSecond),
      ],
      notes: [
        ...driven.firstErrors.map((e) => `claim error: ${e}`),
        "Staleness: the moment a client shows a count ≥ k new claims, minus the moment k claims had committed (the server notes each commit as the engine publishes task.claimed, right after it), 0 when shown before: the live count is Redis's, which counts a claim when the script decides it, before PostgreSQL commits. Clocks: one machine, wall time with sub-ms resolution.",
        "Counts are state, coalesced per room (at most one push per 200 ms), so deliveries per socket are bounded by the flush rate, not the claim rate.",
        "Memory: retained heap is heapUsed right after a full collection, at the window's start and end. What grows in a window is bounded state: the claims this instance granted (at most 10,000, read back by their submits) and open claims; the actor and claim-key caches filled in the warm-up.",
      ],
    };
  } finally {
    for (const c of children.reverse()) await c.stop().catch(() => {});
    await svc.stop();
  }
}

async function activeClaims(databaseUrl: string, projectId: string): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query(`SELECT count(*)::int AS n FROM "Claim" WHERE "projectId" = $1 AND outcome = 'active'`, [projectId])).rows[0].n as number;
  } finally {
    await c.end();
  }
}

async function retainedOf(server: Child): Promise<{ heapMb: number; rssMb: number }> {
  return server.request<{ heapMb: number; rssMb: number }>({ type: "retained" }, "retained");
}

/** One claim per contributor, 32 at a time. */
async function warmUp(http: HttpClient, p: Awaited<ReturnType<typeof seedProject>>, n: number): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < n) await claim(http, p, n - 1 - next++);
  };
  await Promise.all(Array.from({ length: 32 }, loop));
}

async function claim(http: HttpClient, p: Awaited<ReturnType<typeof seedProject>>, who: number): Promise<void> {
  const u = p.contributors[who % p.contributors.length]!;
  const r = await http.request("POST", `/api/projects/${p.projectId}/claims`, u.token, { nodeId: p.nodeId });
  if (r.status !== 201) throw new Error(`claim answered ${r.status}: ${JSON.stringify(r.body)}`);
}

/** Claims on a fixed schedule (open loop), remembering when each was answered. */
async function drive(http: HttpClient, p: Awaited<ReturnType<typeof seedProject>>, rate: number, seconds: number) {
  const answered: number[] = [];
  let errors = 0;
  const firstErrors = new Set<string>();
  const total = rate * seconds;
  const started = performance.now();
  const running: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    running.push(
      claim(http, p, i).then(
        () => void answered.push(wallMs()),
        (err: Error) => {
          errors++;
          if (firstErrors.size < 3) firstErrors.add(err.message.slice(0, 160));
        },
      ),
    );
  }
  await Promise.all(running);
  const elapsed = (performance.now() - started) / 1000;
  return { answered: answered.sort((a, b) => a - b), errors, firstErrors: [...firstErrors], perSecond: answered.length / elapsed };
}

if (isMain(import.meta.url)) void runAsScript(p3Scenario);
