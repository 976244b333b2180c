// P5 — recovery: a Redis of our own is wiped (FLUSHALL) under load while
// 100,000 tasks are open, a few times in a row. Claim → submit cycles keep
// flowing over HTTP against the real server; measured is the time from the
// wipe until a claim sent after it succeeds again, and until the cycle rate is
// back to 80% of what it was before. Afterwards PostgreSQL and Redis must agree:
// every active claim in PostgreSQL held in Redis, no task claimed twice.
// Goal: claims succeed again within 5 s.
import pg from "pg";
import { Redis } from "ioredis";
import { keysOf } from "../server/src/queue/keys";
import { startServer, type ServerChild } from "./lib/children";
import { BENCH_JWT_SECRET } from "./lib/deps";
import { HttpClient } from "./lib/http-client";
import { isMain, progress, ratio, runAsScript, type ScenarioResult } from "./lib/report";
import { seedProject, type BenchProject } from "./lib/seed";
import { startServices } from "./lib/services";
import { concurrently, fmt, median, sleep, wallMs } from "./lib/stats";

const WORKERS = 32;
/** How long a wipe is watched for recovery before it counts as not recovered. */
const WATCH_MS = 30_000;

interface Outcome {
  /** When the claim request left, when it was answered, and whether it got its 201. */
  sent: number;
  claimed: number;
  claimOk: boolean;
  /** When the whole cycle ended, and whether the submit succeeded too. */
  answered: number;
  ok: boolean;
}

export async function p5Scenario(): Promise<Omit<ScenarioResult, "seconds">> {
  const tasks = Number(process.env.BENCH_OPEN_TASKS ?? 100_000);
  const wipes = Number(process.env.BENCH_WIPES ?? 3);
  const svc = await startServices({ label: "p5", ownRedis: true });
  if (!svc.redisOwned) throw new Error("P5 wipes Redis: it must run on a redis-server of its own");
  const admin = new Redis(svc.redisUrl);
  let server: ServerChild | null = null;
  try {
    progress(`seeding ${tasks} open tasks`);
    const project = await seedProject(svc.databaseUrl, { contributors: 500, tasks: tasks + 60_000, jwtSecret: BENCH_JWT_SECRET });
    server = await startServer({ REDIS_URL: svc.redisUrl, DATABASE_URL: svc.databaseUrl, LOG_LEVEL: "warn" });
    const http = new HttpClient(server.url);
    const outcomes: Outcome[] = [];
    let stop = false;
    let n = 0;
    const load = concurrently(WORKERS, async () => {
      while (!stop) outcomes.push(await cycle(http, project, n++));
    });
    // The first claim builds the state; wipe only once cycles flow steadily.
    await steady(outcomes);
    const events: Array<{ firstOk: number; rateBack: number; errors: number }> = [];
    for (let i = 0; i < wipes; i++) {
      const before = rateIn(outcomes, wallMs() - 3000, wallMs());
      progress(`wipe ${i + 1}/${wipes} (${fmt(before, 0)} cycles/s before)`);
      await admin.flushall();
      const wipedAt = wallMs();
      const giveUp = wipedAt + WATCH_MS;
      const firstClaim = () => outcomes.reduce((m, o) => (o.sent >= wipedAt && o.claimOk && o.claimed < m ? o.claimed : m), Infinity);
      while (wallMs() < giveUp && (firstClaim() === Infinity || rateBackAt(outcomes, wipedAt, before * 0.8) === Infinity)) await sleep(200);
      const firstOk = firstClaim();
      events.push({
        firstOk: firstOk - wipedAt,
        rateBack: rateBackAt(outcomes, wipedAt, before * 0.8) - wipedAt,
        errors: outcomes.filter((o) => !o.ok && o.answered >= wipedAt && o.answered < Math.min(firstOk, giveUp)).length,
      });
      await steady(outcomes);
    }
    stop = true;
    await load;
    http.close();
    const check = await agree(svc.databaseUrl, admin, project);
    const firstOk = median(events.map((e) => e.firstOk));
    const worst = Math.max(...events.map((e) => e.firstOk));
    return {
      id: "p5",
      title: `P5 recovery — Redis wiped ${wipes}× under load, ${tasks.toLocaleString("en-US")}+ open tasks`,
      rows: [
        { line: "claims succeed again after the wipe", value: firstOk, unit: "ms", rounds: events.map((e) => e.firstOk), detail: `first 201 to a claim sent after the wipe; worst ${fmt(worst, 0)} ms` },
        { line: "cycle rate back to 80% of before", value: median(events.map((e) => e.rateBack)), unit: "ms", rounds: events.map((e) => e.rateBack) },
        { line: "failed cycles per wipe", value: median(events.map((e) => e.errors)), unit: "cycles", rounds: events.map((e) => e.errors), detail: "until the first success" },
        { line: "cycles completed in the run", value: outcomes.filter((o) => o.ok).length, unit: "cycles", detail: `${WORKERS} clients` },
        { line: "PostgreSQL and Redis agree afterwards", value: check.agree ? 1 : 0, unit: check.agree ? "yes" : "NO", detail: check.detail },
      ],
      ratios: [ratio("worst time until claims succeed, s", worst / 1000, { atMost: 5 })],
      notes: [
        "Each wipe is FLUSHALL on a redis-server this scenario started (never a shared one). The first claim that finds the project's epoch missing rebuilds its state from PostgreSQL under a lock; other claims wait for it.",
      ],
    };
  } finally {
    await server?.stop();
    admin.disconnect();
    await svc.stop();
  }
}

async function cycle(http: HttpClient, p: BenchProject, who: number): Promise<Outcome> {
  const u = p.contributors[who % p.contributors.length]!;
  const sent = wallMs();
  let claimed = NaN;
  try {
    const c = await http.request("POST", `/api/projects/${p.projectId}/claims`, u.token, { nodeId: p.nodeId });
    claimed = wallMs();
    if (c.status !== 201) return { sent, claimed, claimOk: false, answered: claimed, ok: false };
    const claim = (c.body as { claim: { id: string; token: string } }).claim;
    const s = await http.request("POST", `/api/claims/${claim.id}/submit`, u.token, { token: claim.token, answers: p.answers });
    return { sent, claimed, claimOk: true, answered: wallMs(), ok: s.status === 201 };
  } catch {
    return { sent, claimed: claimed || wallMs(), claimOk: false, answered: wallMs(), ok: false };
  }
}

/** Successful cycles per second answered in [from, to). Outcomes are pushed as answered, so in order. */
function rateIn(outcomes: Outcome[], from: number, to: number): number {
  let n = 0;
  for (let i = firstAt(outcomes, from); i < outcomes.length && outcomes[i]!.answered < to; i++) if (outcomes[i]!.ok) n++;
  return n / ((to - from) / 1000);
}

function firstAt(outcomes: Outcome[], t: number): number {
  let lo = 0;
  let hi = outcomes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (outcomes[mid]!.answered < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The end of the first 500 ms window after the wipe whose rate reaches `target`. */
function rateBackAt(outcomes: Outcome[], wipedAt: number, target: number): number {
  const now = wallMs();
  for (let t = wipedAt; t + 500 <= Math.min(now, wipedAt + WATCH_MS); t += 100) if (rateIn(outcomes, t, t + 500) >= target) return t + 500;
  return Infinity;
}

/** Waits until three seconds in a row each completed cycles (at most a minute). */
async function steady(outcomes: Outcome[]): Promise<void> {
  const giveUp = wallMs() + 60_000;
  while (wallMs() < giveUp) {
    const now = wallMs();
    if ([0, 1, 2].every((i) => rateIn(outcomes, now - (i + 1) * 1000, now - i * 1000) > 0)) return;
    await sleep(250);
  }
  throw new Error("P5: cycles never flowed steadily");
}

/** After the load: each active claim in PostgreSQL is held in Redis by the same claim, and the counts match. */
async function agree(databaseUrl: string, redis: Redis, p: BenchProject): Promise<{ agree: boolean; detail: string }> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const active = (await c.query(`SELECT "taskId", id FROM "Claim" WHERE "projectId" = $1 AND outcome = 'active'`, [p.projectId])).rows;
    const twice = (await c.query(`SELECT count(*)::int AS n FROM (SELECT "taskId" FROM "Claim" WHERE "projectId" = $1 AND outcome = 'active' GROUP BY 1 HAVING count(*) > 1) x`, [p.projectId])).rows[0].n;
    const queued = (await c.query(`SELECT count(*)::int AS n FROM "Task" WHERE "projectId" = $1 AND status = 'queued'`, [p.projectId])).rows[0].n;
    const k = keysOf(p.projectId);
    const held = await redis.hgetall(k.claim);
    const mismatched = active.filter((a) => !held[a.taskId]?.startsWith(`${a.id}|`)).length;
    const ready = await redis.zcard(k.ready(p.nodeId));
    const ok = twice === 0 && mismatched === 0 && Object.keys(held).length === active.length && ready === queued;
    return { agree: ok, detail: `${active.length} active claims, ${mismatched} not held in Redis, ${twice} tasks held twice; ${queued} queued vs ${ready} ready` };
  } finally {
    await c.end();
  }
}

if (isMain(import.meta.url)) void runAsScript(p5Scenario);
