// P2 — durable claim → submit cycles over HTTP against the real server (its own
// process: JWT, validation, rate limit, Redis, PostgreSQL, events, realtime
// bridge), beside the durable minimal line and a pg-boss fetch → complete loop on
// the same PostgreSQL, in interleaved rounds of the same size. Then latency: an
// open-loop run at 70% of the measured peak (arrivals on a fixed schedule, so a
// slow answer cannot hold back the next arrival and hide its own delay).
// Goals: HTTP ≥ 0.5 × durable minimal line (≈ 1.5 × pg-boss); p99 ≤ 50 ms at 70%.
import { monitorEventLoopDelay } from "node:perf_hooks";
import pg from "pg";
import { loadActor } from "../server/src/access/actor";
import type { Deps } from "../server/src/deps";
import { claimWriterOf } from "../server/src/queue/claim-writer";
import { claimTask, submitClaim } from "../server/src/queue/engine";
import { sqlOf } from "../server/src/queue/pg";
import { startServer, type ServerChild } from "./lib/children";
import { BENCH_JWT_SECRET, benchDeps, closeDeps } from "./lib/deps";
import { HttpClient } from "./lib/http-client";
import { cpuBetween, machineBusyMs, processCpu } from "./lib/machine";
import { isMain, progress, ratio, runAsScript, type Row, type ScenarioResult } from "./lib/report";
import { seedProject, type BenchProject } from "./lib/seed";
import { startServices } from "./lib/services";
import { concurrently, fmt, median, percentile, sleep } from "./lib/stats";
import { startPgBoss } from "./peers/pgboss";
import { openLoopLine, prepareDurableLine, runLine, type LineResult } from "./reference/lines";

const HTTP_CONCURRENCY = Number(process.env.BENCH_HTTP_CONCURRENCY ?? 64);
const CONTRIBUTORS = 1000;
const LEAD_IN_SECONDS = 5;

export async function p2Scenario(): Promise<Omit<ScenarioResult, "seconds">> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const items = Number(process.env.BENCH_P2_ITEMS ?? 10_000);
  const latencySeconds = Number(process.env.BENCH_P2_LATENCY_SECONDS ?? 20);
  const svc = await startServices({ label: "p2" });
  const deps = await benchDeps({ redisUrl: svc.redisUrl, databaseUrl: svc.databaseUrl });
  const pool = new pg.Pool({ connectionString: svc.databaseUrl, max: 10 });
  const boss = await startPgBoss(svc.databaseUrl, 10);
  let server: ServerChild | null = null;
  try {
    // Enough tasks for every HTTP and in-process cycle, plus the latency run at a generous peak.
    const tasks = (rounds * 3 + 1) * items + (LEAD_IN_SECONDS + latencySeconds) * 3000;
    progress(`seeding ${tasks} tasks, ${CONTRIBUTORS} contributors`);
    const project = await seedProject(svc.databaseUrl, { contributors: CONTRIBUTORS, tasks, jwtSecret: BENCH_JWT_SECRET });
    await prepareDurableLine(pool);
    server = await startServer({ REDIS_URL: svc.redisUrl, DATABASE_URL: svc.databaseUrl }, profileArgs());
    const client = new HttpClient(server.url);
    await warmUp(client, project);

    const res = { http: [] as number[], next: [] as number[], inproc: [] as number[], durable: [] as number[], pgboss: [] as number[] };
    // CPU per HTTP cycle: the server's own, the load client's, PostgreSQL's and Redis's
    // processes, and the whole machine's; the same for the durable line per item.
    const cpu: Cpu = { server: [], client: [], postgres: [], redis: [], machine: [], perStatement: [], largest: [] };
    const lineCpu: ProcessesCpu = { client: [], postgres: [], redis: [], machine: [] };
    const inprocPerStatement: number[] = [];
    const wal = { http: newWal(), durable: newWal(), pgboss: newWal() };
    for (let r = 0; r < rounds; r++) {
      const order = (["durable", "http", "pgboss", "inproc", "next"] as const).map((_, i, a) => a[(i + r) % a.length]!);
      for (const line of order) {
        progress(`round ${r + 1}/${rounds}: ${line}`);
        const out: LineResult =
          line === "http"
            ? await withWal(pool, wal.http, items, () => measuredHttpRound(client, project, items, server!, cpu))
            : line === "next"
              ? await httpNextRound(client, project, items)
              : line === "inproc"
              ? await inProcessRound(deps, project, items, inprocPerStatement)
              : line === "durable"
                ? await withWal(pool, wal.durable, items, () => measured(lineCpu, items, () => runLine({ redis: deps.redis, items, pool })))
                : await withWal(pool, wal.pgboss, items, () => boss.round(items, HTTP_CONCURRENCY));
        res[line].push(out.perSecond);
      }
    }
    const peak = median(res.http);
    // BENCH_P2_RATE fixes the window's rate, so runs of two versions compare latency at one load.
    const rate = Number(process.env.BENCH_P2_RATE) || Math.max(1, Math.round(peak * 0.7));
    // The rounds above wrote ~150,000 cycles' worth of rows and WAL (peers included):
    // settle that debt first, so the latency window measures the server at 70% load
    // rather than a checkpoint or autovacuum the earlier rounds triggered.
    const settled = await settleDatabase(pool);
    // A checkpoint makes the next change to every page write a full image of it to the
    // WAL; a lead-in at the same rate pays that burst (and warms the caches the VACUUM
    // left cold) before the window opens.
    progress(`lead-in: ${LEAD_IN_SECONDS} s at ${rate} cycles/s, not measured`);
    await openLoop(client, project, rate, LEAD_IN_SECONDS);
    progress(`latency: ${latencySeconds} s at ${rate} cycles/s (peak ${Math.round(peak)})`);
    await server.resetStats();
    const lat = await openLoop(client, project, rate, latencySeconds);
    const stats = await server.stats();
    // The reference for those latencies: the durable line on the same schedule, two commits per item as per cycle.
    progress(`durable line: ${latencySeconds} s at ${rate} items/s`);
    const lineLat = await openLoopLine({ redis: deps.redis, pool, rate, seconds: latencySeconds });
    // What-if, after everything else: the same HTTP round with the dashboard aggregate
    // triggers off, to show what keeping the aggregates in the same transaction costs a cycle.
    progress("what-if: one HTTP round with the dashboard triggers off");
    await pool.query(`ALTER TABLE "Submission" DISABLE TRIGGER dash_submission_insert; ALTER TABLE "Task" DISABLE TRIGGER dash_task_update`);
    const noDash = (await httpRound(client, project, items)).perSecond;
    await pool.query(`ALTER TABLE "Submission" ENABLE TRIGGER dash_submission_insert; ALTER TABLE "Task" ENABLE TRIGGER dash_task_update`);
    client.close();

    const perRound = (a: number[], b: number[]) => median(a.map((v, i) => v / b[i]!));
    const worstP99 = Math.max(lat.claimP99, lat.submitP99);
    const loadPct = Math.round((rate / peak) * 100);
    const rows: Row[] = [
      { line: "durable minimal line (reference)", value: median(res.durable), unit: "items/s", rounds: res.durable, detail: "100 loops, pool 10" },
      { line: "our HTTP claim → submit", value: peak, unit: "cycles/s", rounds: res.http, detail: `${HTTP_CONCURRENCY} clients, ${CONTRIBUTORS} contributors` },
      { line: "our HTTP submit and take the next", value: median(res.next), unit: "cycles/s", rounds: res.next, detail: "one request per cycle: submit with next: true" },
      { line: "our engine in-process (no HTTP)", value: median(res.inproc), unit: "cycles/s", rounds: res.inproc, detail: "claimTask + submitClaim, 100 loops" },
      { line: "pg-boss fetch → complete", value: median(res.pgboss), unit: "jobs/s", rounds: res.pgboss, detail: `${HTTP_CONCURRENCY} loops, pool 10` },
      { line: `at ${loadPct}% of peak (${rate}/s): achieved`, value: lat.achieved, unit: "cycles/s", detail: `${lat.errors} errors; ${settled}, then a ${LEAD_IN_SECONDS} s lead-in` },
      { line: "  claim latency p50 / p99", value: lat.claimP50, unit: `ms / ${lat.claimP99.toFixed(1)} ms` },
      {
        line: "    its record in PostgreSQL p50 / p99",
        value: percentile(stats.recordMs.statement, 50),
        unit: `ms / ${percentile(stats.recordMs.statement, 99).toFixed(1)} ms`,
        detail: `the claim's statement, timed in the server; queued behind the one in flight before it: p50 ${percentile(stats.recordMs.queued, 50).toFixed(2)} / p99 ${percentile(stats.recordMs.queued, 99).toFixed(1)} ms`,
      },
      { line: "  submit latency p50 / p99", value: lat.submitP50, unit: `ms / ${lat.submitP99.toFixed(1)} ms` },
      { line: "  cycle latency p50 / p99", value: lat.cycleP50, unit: `ms / ${lat.cycleP99.toFixed(1)} ms`, detail: "from its scheduled start" },
      { line: "  server event-loop lag p99", value: stats.lagP99, unit: "ms", detail: `max ${fmt(stats.lagMax, 0)} ms` },
      {
        line: "  durable line at the same rate: p50 / p99",
        value: percentile(lineLat.claim, 50),
        unit: `ms / ${percentile(lineLat.claim, 99).toFixed(1)} ms`,
        detail: `its claim (Lua + INSERT); its completion (Lua + UPDATE) p99 ${percentile(lineLat.complete, 99).toFixed(1)} ms; ${fmt(lineLat.achieved, 0)} items/s`,
      },
      { line: "  client event-loop lag p99", value: lat.clientLagP99, unit: "ms", detail: `max ${fmt(lat.clientLagMax, 0)} ms (the load client's own stalls, included in its latencies)` },
      { line: "CPU per HTTP cycle: server / client", value: median(cpu.server), unit: `ms / ${median(cpu.client).toFixed(2)} ms`, detail: "the server's process (all its threads) and the load client's" },
      { line: "  PostgreSQL / Redis / machine", value: median(cpu.postgres), unit: `ms / ${median(cpu.redis).toFixed(2)} ms / ${median(cpu.machine).toFixed(2)} ms`, detail: "all PostgreSQL processes and redis-server; the machine's is every core's busy time" },
      {
        line: "claim records per PostgreSQL statement",
        value: median(cpu.perStatement),
        unit: `HTTP / ${median(inprocPerStatement).toFixed(2)} in-process / ${perStatement(stats.claimRecords).toFixed(2)} at ${loadPct}%`,
        detail: `mean per round; largest statement ${Math.max(0, ...cpu.largest)} claims (claims decided while one is in PostgreSQL share the next)`,
      },
      { line: "CPU per durable-line item: Node / PostgreSQL", value: median(lineCpu.client), unit: `ms / ${median(lineCpu.postgres).toFixed(2)} ms`, detail: "the same readings for the reference line, whose Node side is this process" },
      { line: "  Redis / machine", value: median(lineCpu.redis), unit: `ms / ${median(lineCpu.machine).toFixed(2)} ms` },
      ...walRows(wal),
      { line: "what-if: HTTP, dashboard triggers off", value: noDash, unit: "cycles/s", detail: "one round, not a product configuration" },
    ];
    return {
      id: "p2",
      title: `P2 durable HTTP — ${items.toLocaleString("en-US")} cycles per round`,
      rows,
      ratios: [
        ratio("HTTP / durable minimal line", perRound(res.http, res.durable), { atLeast: 0.5 }),
        ratio("HTTP / pg-boss", perRound(res.http, res.pgboss), { atLeast: 1.5, text: "≈ 1.5" }),
        ratio("HTTP submit and next / durable minimal line", perRound(res.next, res.durable), { atLeast: 0.5 }),
        ratio("HTTP submit and next / pg-boss", perRound(res.next, res.pgboss), { atLeast: 1.5, text: "≈ 1.5" }),
        ratio("in-process / durable minimal line", perRound(res.inproc, res.durable)),
        ratio(`request p99 at ${loadPct}% of peak (ms)`, worstP99, { atMost: 50 }),
      ],
      notes: [
        "Every HTTP cycle is two requests (POST /claims, POST /claims/:id/submit), each with JWT verification, the actor's memberships read, the API rate limit, zod validation, a Lua script and one PostgreSQL function call, then events to the realtime bridge.",
        "Submit and take the next: each loop claims once, then every submit carries next: true and answers with the next claim (the settle and the next claim are one Redis call); the last submit of a loop takes none.",
        "Request latency counts from the request's send; cycle latency from its scheduled start (so queueing delay is included).",
      ],
    };
  } finally {
    await server?.stop();
    await boss.stop().catch(() => {});
    await pool.end();
    await closeDeps(deps);
    await svc.stop();
  }
}

/** With BENCH_PROFILE=1 the server writes a CPU profile to bench/profiles/ (not committed). */
function profileArgs(): string[] | undefined {
  return process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=bench/profiles"] : undefined;
}

const claimPath = (p: BenchProject) => `/api/projects/${p.projectId}/claims`;

/** One claim → submit cycle for a contributor; throws on anything but success. */
async function cycle(client: HttpClient, p: BenchProject, who: number, t?: { claim: number[]; submit: number[] }): Promise<void> {
  const user = p.contributors[who % p.contributors.length]!;
  const c = await client.request("POST", claimPath(p), user.token, { nodeId: p.nodeId });
  if (c.status !== 201) throw new Error(`claim answered ${c.status}: ${JSON.stringify(c.body)}`);
  const claim = (c.body as { claim: { id: string; token: string } }).claim;
  const s = await client.request("POST", `/api/claims/${claim.id}/submit`, user.token, { token: claim.token, answers: p.answers });
  if (s.status !== 201) throw new Error(`submit answered ${s.status}: ${JSON.stringify(s.body)}`);
  t?.claim.push(c.ms);
  t?.submit.push(s.ms);
}

/** A few cycles first: the server builds the queue state and its caches before the clock runs. */
async function warmUp(client: HttpClient, p: BenchProject): Promise<void> {
  await concurrently(8, async (w) => {
    for (let i = 0; i < 25; i++) await cycle(client, p, w + i * 8);
  });
}

let nextUser = 0;

async function httpRound(client: HttpClient, p: BenchProject, items: number): Promise<LineResult> {
  let left = items;
  const started = performance.now();
  await concurrently(HTTP_CONCURRENCY, async () => {
    while (left-- > 0) await cycle(client, p, nextUser++);
  });
  const seconds = (performance.now() - started) / 1000;
  return { items, seconds, perSecond: items / seconds };
}

/** Submit and take the next: per loop one claim, then one request per cycle. */
async function httpNextRound(client: HttpClient, p: BenchProject, items: number): Promise<LineResult> {
  const started = performance.now();
  await concurrently(HTTP_CONCURRENCY, async (w) => {
    const user = p.contributors[nextUser++ % p.contributors.length]!;
    let n = Math.floor(items / HTTP_CONCURRENCY) + (w < items % HTTP_CONCURRENCY ? 1 : 0);
    let claim: { id: string; token: string } | null = null;
    while (n-- > 0) {
      if (!claim) {
        const c = await client.request("POST", claimPath(p), user.token, { nodeId: p.nodeId });
        if (c.status !== 201) throw new Error(`claim answered ${c.status}: ${JSON.stringify(c.body)}`);
        claim = (c.body as { claim: { id: string; token: string } }).claim;
      }
      const s = await client.request("POST", `/api/claims/${claim.id}/submit`, user.token, { token: claim.token, answers: p.answers, next: n > 0 });
      if (s.status !== 201) throw new Error(`submit answered ${s.status}: ${JSON.stringify(s.body)}`);
      claim = (s.body as { next?: { claim: { id: string; token: string } } | null }).next?.claim ?? null;
    }
  });
  const seconds = (performance.now() - started) / 1000;
  return { items, seconds, perSecond: items / seconds };
}

/** VACUUM ANALYZE, then CHECKPOINT; CHECKPOINT needs a superuser, so without one it is skipped and the row says so. */
async function settleDatabase(pool: pg.Pool): Promise<string> {
  await pool.query("VACUUM ANALYZE");
  try {
    await pool.query("CHECKPOINT");
    return "VACUUM ANALYZE and CHECKPOINT before the window";
  } catch {
    return "VACUUM ANALYZE before the window (CHECKPOINT needs a superuser)";
  }
}

/** WAL written per item of a round (pg_stat_wal, the whole server's; PostgreSQL 14+). */
type Wal = { records: number[]; bytes: number[]; fpi: number[] };
const newWal = (): Wal => ({ records: [], bytes: [], fpi: [] });

async function walNow(pool: pg.Pool): Promise<{ records: number; bytes: number; fpi: number } | null> {
  try {
    const r = (await pool.query("SELECT wal_records::float8 AS records, wal_bytes::float8 AS bytes, wal_fpi::float8 AS fpi FROM pg_stat_wal")).rows[0];
    return { records: r.records, bytes: r.bytes, fpi: r.fpi };
  } catch {
    return null;
  }
}

async function withWal(pool: pg.Pool, wal: Wal, items: number, round: () => Promise<LineResult>): Promise<LineResult> {
  const a = await walNow(pool);
  const out = await round();
  const b = await walNow(pool);
  if (a && b) {
    wal.records.push((b.records - a.records) / items);
    wal.bytes.push((b.bytes - a.bytes) / items);
    wal.fpi.push((b.fpi - a.fpi) / items);
  }
  return out;
}

function walRows(w: { http: Wal; durable: Wal; pgboss: Wal }): Row[] {
  if (!w.http.records.length) return [];
  const of = (x: Wal) => `${fmt(median(x.records), 1)} / ${fmt(median(x.bytes), 0)} B`;
  return [
    {
      line: "WAL per HTTP cycle: records / bytes",
      value: median(w.http.records),
      unit: `records / ${fmt(median(w.http.bytes), 0)} B`,
      detail: `${fmt(median(w.http.fpi), 2)} full-page images; durable line per item ${of(w.durable)}; pg-boss per job ${of(w.pgboss)}`,
    },
  ];
}

/** CPU per item of a round, by whose: `client` is this process. */
/** Claim records per PostgreSQL statement (claim-writer.ts). */
const perStatement = (r: { claims: number; statements: number }) => r.claims / Math.max(1, r.statements);

type ProcessesCpu = Record<"client" | "postgres" | "redis" | "machine", number[]>;
/** Per HTTP round: the server's CPU per cycle, and claim records per PostgreSQL statement (mean, largest). */
type Cpu = ProcessesCpu & { server: number[]; perStatement: number[]; largest: number[] };
const SERVICES = ["postgres", "redis-server"] as const;

/** Runs a round and adds its CPU per item to `cpu`: this process, PostgreSQL, Redis, the machine. */
async function measured(cpu: ProcessesCpu, items: number, round: () => Promise<LineResult>): Promise<LineResult> {
  const busy = machineBusyMs();
  const own = process.cpuUsage();
  const services = processCpu(SERVICES);
  const out = await round();
  const used = process.cpuUsage(own);
  const by = cpuBetween(services, processCpu(SERVICES));
  cpu.machine.push((machineBusyMs() - busy) / items);
  cpu.client.push((used.user + used.system) / 1000 / items);
  cpu.postgres.push((by.postgres ?? 0) / items);
  cpu.redis.push((by["redis-server"] ?? 0) / items);
  return out;
}

async function measuredHttpRound(client: HttpClient, p: BenchProject, items: number, server: ServerChild, cpu: Cpu) {
  await server.resetStats();
  const out = await measured(cpu, items, () => httpRound(client, p, items));
  const stats = await server.stats();
  cpu.server.push(stats.cpuMs / items);
  cpu.perStatement.push(perStatement(stats.claimRecords));
  cpu.largest.push(stats.claimRecords.largest);
  return out;
}

async function inProcessRound(deps: Deps, p: BenchProject, items: number, perStatements: number[]): Promise<LineResult> {
  const writer = claimWriterOf(sqlOf(deps));
  const from = { ...writer.stats };
  const actors = await Promise.all(p.contributors.slice(0, 100).map(async (c) => (await loadActor(deps.db, c.id))!));
  let left = items;
  const started = performance.now();
  await concurrently(actors.length, async (w) => {
    const actor = actors[w]!;
    while (left-- > 0) {
      const c = await claimTask(deps, actor, p.projectId, { nodeId: p.nodeId });
      await submitClaim(deps, actor, c.claim.id, { token: c.claim.token, answers: p.answers });
    }
  });
  const seconds = (performance.now() - started) / 1000;
  perStatements.push(perStatement({ claims: writer.stats.claims - from.claims, statements: writer.stats.statements - from.statements }));
  return { items, seconds, perSecond: items / seconds };
}

async function openLoop(client: HttpClient, p: BenchProject, rate: number, seconds: number) {
  const t = { claim: [] as number[], submit: [] as number[] };
  const cycles: number[] = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  // The client's own stalls count in its latencies (an answer waits until the loop runs): measured beside them.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const started = performance.now();
  const running: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    running.push(
      cycle(client, p, nextUser++, t).then(
        () => void cycles.push(performance.now() - due),
        () => void errors++,
      ),
    );
  }
  await Promise.all(running);
  const elapsed = (performance.now() - started) / 1000;
  lag.disable();
  return {
    clientLagP99: lag.percentile(99) / 1e6,
    clientLagMax: lag.max / 1e6,
    achieved: cycles.length / elapsed,
    errors,
    claimP50: percentile(t.claim, 50),
    claimP99: percentile(t.claim, 99),
    submitP50: percentile(t.submit, 50),
    submitP99: percentile(t.submit, 99),
    cycleP50: percentile(cycles, 50),
    cycleP99: percentile(cycles, 99),
  };
}

if (isMain(import.meta.url)) void runAsScript(p2Scenario);
