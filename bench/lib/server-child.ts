// The real server in a process of its own, started by a scenario with fork():
// the app, its workers (realtime flushers, sweeper, notifications) and a
// listening port, built as main.ts builds them. It answers the parent over IPC
// with what only the server can see: event-loop delay (monitorEventLoopDelay),
// memory, when each claim committed, and how many claim records shared a statement. Request logs go to stdout at LOG_LEVEL (info, as in production);
// the parent discards them.
//   env: REDIS_URL, DATABASE_URL (migrated), LOG_LEVEL, DB_POOL
import { mkdirSync } from "node:fs";
import { writeHeapSnapshot } from "node:v8";
import { createApp } from "../../server/src/app";
import { claimWriterOf } from "../../server/src/queue/claim-writer";
import { sqlOf } from "../../server/src/queue/pg";
import { startWorkers } from "../../server/src/workers";
import { benchDeps } from "./deps";
import { startProbe } from "./probe";
import { wallMs } from "./stats";

export type ServerRequest = { type: "stats-reset" } | { type: "stats" } | { type: "retained" } | { type: "commits" } | { type: "stop" };

import type { ServerStats } from "./probe";
/** The server's stats, with the claim records and the statements that carried them since the last reset (largest: since start). */
export type ServerChildStats = ServerStats & {
  claimRecords: { statements: number; claims: number; largest: number };
  /** Each claim's record since the last reset: ms queued behind the statement in flight, and its own statement's ms. */
  recordMs: { queued: number[]; statement: number[] };
};

async function main() {
  const deps = await benchDeps({
    redisUrl: process.env.REDIS_URL!,
    databaseUrl: process.env.DATABASE_URL!,
    logLevel: process.env.LOG_LEVEL ?? "info",
    poolSize: Number(process.env.DB_POOL ?? 10),
  });
  const app = createApp(deps, { webDist: null });
  const workers = await startWorkers(deps, app);
  await new Promise<void>((r) => app.http.listen(0, "127.0.0.1", r));
  const { port } = app.http.address() as { port: number };

  // When each claim committed: the engine publishes task.claimed right after its commit.
  let commits: number[] = [];
  deps.bus.on("task.claimed", () => void commits.push(wallMs()));

  const writer = claimWriterOf(sqlOf(deps));
  let recordsFrom = { ...writer.stats };
  let recordMs: ServerChildStats["recordMs"] = { queued: [], statement: [] };
  writer.timings.add((queued, statement) => {
    recordMs.queued.push(queued);
    recordMs.statement.push(statement);
  });
  const probe = startProbe();
  // BENCH_HEAP=1: a heap snapshot as the window starts and as it is read, to diff.
  const snapshot = (label: string) => {
    if (process.env.BENCH_HEAP !== "1") return;
    mkdirSync("bench/profiles", { recursive: true });
    writeHeapSnapshot(`bench/profiles/server-${process.pid}-${label}.heapsnapshot`);
  };

  process.on("message", async (msg: ServerRequest) => {
    if (msg.type === "stats-reset") {
      snapshot("start");
      probe.reset();
      recordsFrom = { ...writer.stats };
      recordMs = { queued: [], statement: [] };
      commits = [];
      process.send!({ type: "stats-reset" });
    } else if (msg.type === "stats") {
      const { statements, claims, largest } = writer.stats;
      const claimRecords = { statements: statements - recordsFrom.statements, claims: claims - recordsFrom.claims, largest };
      const stats: ServerChildStats = { ...probe.stats(), claimRecords, recordMs };
      snapshot("end");
      process.send!({ type: "stats", stats });
    } else if (msg.type === "retained") {
      // Memory still reachable after a full collection (needs --expose-gc): what a
      // leak would grow, without the garbage V8 has not yet chosen to collect.
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      process.send!({ type: "retained", heapMb: m.heapUsed / 1048576, rssMb: m.rss / 1048576 });
    } else if (msg.type === "commits") {
      process.send!({ type: "commits", commits });
    } else if (msg.type === "stop") {
      probe.stop();
      await workers.stop().catch(() => {});
      await app.close().catch(() => {});
      await deps.db.$disconnect();
      deps.redis.disconnect();
      process.exit(0);
    }
  });
  process.send!({ type: "ready", port });
}

main().catch((err) => {
  process.stderr.write(`bench server failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
