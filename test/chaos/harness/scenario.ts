// What every process-level scenario shares: its own PostgreSQL database, its own
// redis-server (optionally behind a TCP proxy), N real server processes, a
// seeded project, clients working through it, and the end: wait until the work
// is done and the leases have run out, then check the invariants and that every
// acknowledged write is in PostgreSQL.
import { inject } from "vitest";
import { checkInvariants, type InvariantReport } from "./invariants";
import { ownedPostgres, scratchDatabase, type ChaosPostgres } from "./postgres";
import { TcpProxy } from "./proxy";
import { OwnedRedis } from "./redis";
import { seedWorkload, type Workload, type WorkloadOptions } from "./seed";
import { startServers, type ServerProcess } from "./servers";
import type { Recorder } from "./summary";
import { call, Ledger, lostAcknowledged, openTasks, work, type WorkerOptions } from "./work";
import { prng, type Rng } from "./fuzz";

export interface Env {
  pg: ChaosPostgres;
  redis: OwnedRedis;
  /** Between the servers and Redis when asked for. */
  proxy: TcpProxy | null;
  servers: ServerProcess[];
  close(): Promise<void>;
}

export interface EnvOptions {
  label: string;
  servers: number;
  /** A PostgreSQL this scenario may stop and start (embedded, its own). */
  ownPostgres?: boolean;
  /** Put a TCP proxy between the servers and Redis. */
  redisProxy?: boolean;
  env?: (i: number) => Record<string, string>;
}

export async function startEnv(o: EnvOptions): Promise<Env> {
  const pg = o.ownPostgres ? await ownedPostgres() : await scratchDatabase(process.env.TEST_DATABASE_URL ?? inject("databaseUrl"), o.label);
  const redis = await OwnedRedis.start();
  const proxy = o.redisProxy ? await TcpProxy.start(redis.port) : null;
  let servers: ServerProcess[] = [];
  try {
    servers = await startServers(o.servers, { databaseUrl: pg.url, redisUrl: proxy ? proxy.url : redis.url, label: o.label }, (i) => ({ env: o.env?.(i) }));
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    await proxy?.close();
    await redis.stop();
    await pg.close();
    throw err;
  }
  return {
    pg, redis, proxy, servers,
    async close() {
      await Promise.all(servers.map((s) => s.stop().catch(() => {})));
      await proxy?.close().catch(() => {});
      await redis.stop().catch(() => {});
      await pg.close().catch(() => {});
    },
  };
}

export const seed = (env: Env, o: WorkloadOptions): Promise<Workload> => seedWorkload(env.pg.url, env.servers[0]!.url, o);

export interface Crew {
  ledger: Ledger;
  stop(): void;
  done: Promise<void>;
}

/** Every rater and reviewer of the workload working until stop() (or until every task is done). */
export function startCrew(
  w: Workload,
  o: { seed: number; urls: (i: number) => () => string[]; opts?: Partial<WorkerOptions>; forWorker?: (i: number, rng: Rng) => Partial<WorkerOptions> },
): Crew {
  const ledger = new Ledger();
  let stopped = false;
  const people = [
    ...w.raters.map((p) => ({ ...p, nodeId: w.rateNodeId, kind: "task" as const })),
    ...w.reviewers.map((p) => ({ ...p, nodeId: w.checkNodeId, kind: "review" as const })),
  ];
  const done = Promise.all(
    people.map((p, i) => {
      const rng = prng(o.seed + i);
      return work({
        ledger, urls: o.urls(i), projectId: w.projectId, nodeId: p.nodeId, kind: p.kind, userId: p.id, token: p.token, rng,
        stop: () => stopped, ...o.opts, ...o.forWorker?.(i, rng),
      });
    }),
  ).then(() => {});
  return { ledger, stop: () => void (stopped = true), done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until cond() holds; throws (naming what) when the time is up, so no scenario can hang. */
export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200): Promise<number> {
  const started = performance.now();
  while (!(await cond())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
  return performance.now() - started;
}

/** Waits until every task of the project is completed (or the time is up); returns how many are still open. */
export async function untilComplete(databaseUrl: string, projectId: string, timeoutMs: number, pipelineId?: string): Promise<number> {
  const until = Date.now() + timeoutMs;
  let open = await openTasks(databaseUrl, projectId, pipelineId);
  while (open > 0 && Date.now() < until) {
    await sleep(250);
    open = await openTasks(databaseUrl, projectId, pipelineId);
  }
  return open;
}

/**
 * The end of a scenario: PostgreSQL's invariants must hold at once; Redis gets
 * until the last lease has run out and the sweeper has passed (a claim granted
 * by Redis whose instance died before PostgreSQL recorded it is only found then).
 */
export async function finalCheck(env: Env, w: Workload, ledger: Ledger, rec: Recorder, opts: { settleMs?: number } = {}): Promise<{ report: InvariantReport; lost: string[] }> {
  const first = await checkInvariants(env.pg.url, null, [w.projectId]);
  const lost = await lostAcknowledged(env.pg.url, ledger);
  const redis = env.redis.client();
  let report: InvariantReport = first;
  try {
    const until = Date.now() + (opts.settleMs ?? 45_000);
    const started = Date.now();
    for (;;) {
      // Reading the queue loads the project's Redis state if it is missing (the rebuild).
      const live = env.servers.find((s) => s.alive);
      if (live) await call(new Ledger(), live.url, "GET", `/api/projects/${w.projectId}/queue`, w.raters[0]!.token);
      report = await checkInvariants(env.pg.url, redis, [w.projectId]);
      if ((!report.violations.length && report.redisCompared === 1) || Date.now() > until) break;
      await sleep(500);
    }
    rec.figure("redisSettledSeconds", Math.round((Date.now() - started) / 100) / 10);
  } finally {
    redis.disconnect();
  }
  const violations = [...first.violations.map((v) => `postgres at once: ${v}`), ...report.violations, ...reusedTokens(ledger)];
  if (report.redisCompared !== 1) violations.push("the project's Redis state was never loaded for comparison");
  rec.invariants(violations);
  rec.requests(ledger.summary());
  rec.rec.lost += lost.length;
  rec.figure("tasks", report.tasks);
  rec.figure("claims", report.claims);
  rec.figure("submissions", report.submissions);
  rec.figure("reviews", report.reviews);
  rec.figure("claimsAcknowledged", ledger.claims.size);
  rec.figure("submitsAcknowledged", ledger.submits.size);
  if (ledger.ambiguous) rec.figure("submitsWithLostAnswer", ledger.ambiguous);
  if (ledger.abandoned) rec.figure("claimsAbandoned", ledger.abandoned);
  return { report: { ...report, violations }, lost };
}

/** As the clients saw them: no token handed out twice, no fencing epoch of a task handed out twice. */
function reusedTokens(ledger: Ledger): string[] {
  const tokens = new Set<string>();
  const epochs = new Set<string>();
  const out: string[] = [];
  for (const c of ledger.claims.values()) {
    const epoch = `${c.taskId}@${c.token.split(".")[0]}`;
    if (tokens.has(c.token)) out.push(`token handed out twice: ${c.token.slice(0, 12)}…`);
    if (epochs.has(epoch)) out.push(`fencing epoch handed out twice: ${epoch}`);
    tokens.add(c.token);
    epochs.add(epoch);
  }
  return out;
}
