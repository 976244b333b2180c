// Measurements of bench/dashboard.ts: repeated timings, the query plans of one
// answer, what the aggregates cost a write, and live-counter staleness.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { io } from "socket.io-client";
import type { Deps } from "../../server/src/deps";
import { readDashboard } from "../../server/src/modules/dashboard/service";
import type { Seeded } from "../../scripts/seed-dashboard";
import { percentile } from "../lib/stats";

export interface Timing {
  scope: string;
  timeframe: string;
  what: string;
  p50: number;
  p95: number;
  p99: number;
}

export async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(); // warm caches and the plan cache
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export const summary = (scope: string, timeframe: string, what: string, ms: number[]): Timing => ({
  scope,
  timeframe,
  what,
  p50: percentile(ms, 50),
  p95: percentile(ms, 95),
  p99: percentile(ms, 99),
});

/** Runs each query the service sends once more under EXPLAIN ANALYZE. */
export async function explainAll(deps: Deps, orgId: string): Promise<string[]> {
  const seen: Array<{ sql: string; params: unknown[] }> = [];
  const spy = new Proxy(deps.db, {
    get(target, prop) {
      if (prop === "$queryRawUnsafe")
        return (sql: string, ...params: unknown[]) => {
          seen.push({ sql, params });
          return target.$queryRawUnsafe(sql, ...params);
        };
      return Reflect.get(target, prop);
    },
  });
  await readDashboard({ ...deps, db: spy }, "org", orgId, "90d");
  const out: string[] = [];
  for (const q of seen) {
    const plan = await deps.db.$queryRawUnsafe<Array<{ "QUERY PLAN": string }>>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, ...q.params);
    out.push(`-- ${q.sql.replace(/\s+/g, " ").slice(0, 160)}…`, ...plan.map((r) => r["QUERY PLAN"]), "");
  }
  return out;
}

/** Latency of single-row Submission inserts with the dashboard triggers on, and off (session_replication_role). */
export async function writeCost(url: string, s: Seeded): Promise<{ on: number[]; off: number[] }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const on: number[] = [];
  const off: number[] = [];
  const projectId = s.projectIds[0]!;
  try {
    for (let block = 0; block < 6; block++) {
      const triggers = block % 2 === 0;
      await c.query(`SET session_replication_role = ${triggers ? "origin" : "replica"}`);
      for (let i = 0; i < 100; i++) {
        const user = `${s.orgId.replace(/-org$/, "")}-u${(i * 20) % 2000}`;
        const t0 = performance.now();
        await c.query(
          `INSERT INTO "Submission" (id, "projectId", "orgId", "taskId", "nodeId", "claimId", "userId", answers, attempt)
           VALUES ('bench-w-' || $1, $2, $3, 'bench-task', 'bench-node', 'bench-w-' || $1, $4, '{}', 1)`,
          [`${block}-${i}`, projectId, s.orgId, user],
        );
        (triggers ? on : off).push(performance.now() - t0);
      }
    }
    // Leave the aggregates true: the delete trigger recounts the people concerned.
    await c.query(`SET session_replication_role = origin`);
    await c.query(`DELETE FROM "Submission" WHERE id LIKE 'bench-w-%'`);
  } finally {
    await c.end();
  }
  return { on, off };
}

/**
 * From a submission's commit to the open org dashboard showing it: a socket
 * watches the org's room; each round inserts one submission (triggers on),
 * publishes the event the claim engine would publish after commit, and waits
 * for the `dashboard:counters` push carrying the new count.
 */
export async function staleness(base: string, token: string, deps: Deps, url: string, s: Seeded, rounds: number): Promise<number[]> {
  const socket = io(base, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token } });
  let latest = -1;
  let waiting: ((n: number) => void) | null = null;
  socket.on("dashboard:counters", (e: { scope: string; counters: { submissions: number } }) => {
    if (e.scope !== "org") return;
    latest = e.counters.submissions;
    waiting?.(latest);
  });
  const ack = await socket.timeout(10_000).emitWithAck("subscribe", { room: `org:${s.orgId}:dashboard`, timeframe: "24h" });
  if (!ack?.ok) throw new Error(`subscribe: ${JSON.stringify(ack)}`);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const out: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const before = latest;
      const id = `bench-live-${randomUUID()}`;
      const projectId = s.projectIds[i % s.projectIds.length]!;
      const userId = `${s.orgId.replace(/-org$/, "")}-u${(i * 37) % 2000}`;
      const t0 = performance.now();
      const seen = new Promise<void>((resolve) => {
        waiting = (n) => n > before && resolve();
      });
      await c.query(
        `INSERT INTO "Submission" (id, "projectId", "orgId", "taskId", "nodeId", "claimId", "userId", answers, attempt)
         VALUES ($1, $2, $3, $1, 'bench-node', $1, $4, '{}', 1)`,
        [id, projectId, s.orgId, userId],
      );
      deps.bus.publish({ type: "task.submitted", orgId: s.orgId, projectId, pipelineId: "bench", nodeId: "bench-node", taskId: id, claimId: id, userId, submissionId: id });
      await seen;
      out.push(performance.now() - t0);
      waiting = null;
      await new Promise((r) => setTimeout(r, 50 + (i % 7) * 90)); // spread over the flush cycle
    }
    await c.query(`DELETE FROM "Submission" WHERE id LIKE 'bench-live-%'`);
  } finally {
    await c.end();
    socket.disconnect();
  }
  return out;
}
