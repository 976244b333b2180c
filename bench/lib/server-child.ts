// The real server in a process of its own, started by a scenario with fork():
// the app, its workers (realtime flushers, sweeper, notifications) and a
// listening port, built as main.ts builds them. It answers the parent over IPC
// with what only the server can see: event-loop delay (monitorEventLoopDelay),
// memory, and when each claim committed. Request logs go to stdout at LOG_LEVEL (info, as in production);
// the parent discards them.
//   env: REDIS_URL, DATABASE_URL (migrated), LOG_LEVEL, DB_POOL
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createApp } from "../../server/src/app";
import { startWorkers } from "../../server/src/workers";
import { benchDeps } from "./deps";
import { wallMs } from "./stats";

export type ServerRequest = { type: "stats-reset" } | { type: "stats" } | { type: "commits" } | { type: "stop" };

export interface ServerStats {
  lagP50: number;
  lagP99: number;
  lagMax: number;
  rssMb: number;
  heapUsedMb: number;
  /** RSS sampled every second since the last reset, MB. */
  rssSeries: number[];
  heapSeries: number[];
}

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

  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let rssSeries: number[] = [];
  let heapSeries: number[] = [];
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  // BENCH_RETAINED=1 (with --expose-gc): collect before each sample, so the series
  // shows what is retained rather than garbage not yet collected.
  const gc = process.env.BENCH_RETAINED === "1" ? (globalThis as { gc?: () => void }).gc : undefined;
  const sampler = setInterval(() => {
    gc?.();
    const m = process.memoryUsage();
    rssSeries.push(mb(m.rss));
    heapSeries.push(mb(m.heapUsed));
  }, 1000);

  process.on("message", async (msg: ServerRequest) => {
    if (msg.type === "stats-reset") {
      lag.reset();
      commits = [];
      rssSeries = [];
      heapSeries = [];
      process.send!({ type: "stats-reset" });
    } else if (msg.type === "stats") {
      const m = process.memoryUsage();
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      const stats: ServerStats = {
        lagP50: ms(lag.percentile(50)),
        lagP99: ms(lag.percentile(99)),
        lagMax: ms(lag.max),
        rssMb: mb(m.rss),
        heapUsedMb: mb(m.heapUsed),
        rssSeries,
        heapSeries,
      };
      process.send!({ type: "stats", stats });
    } else if (msg.type === "commits") {
      process.send!({ type: "commits", commits });
    } else if (msg.type === "stop") {
      clearInterval(sampler);
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
