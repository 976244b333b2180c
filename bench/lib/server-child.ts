// The real server in a process of its own, started by a scenario with fork():
// the app, its workers (realtime flushers, sweeper, notifications) and a
// listening port, built as main.ts builds them. It answers the parent over IPC
// with what only the server can see: event-loop delay (monitorEventLoopDelay),
// memory, and when each claim committed. Request logs go to stdout at LOG_LEVEL (info, as in production);
// the parent discards them.
//   env: REDIS_URL, DATABASE_URL (migrated), LOG_LEVEL, DB_POOL
import { createApp } from "../../server/src/app";
import { startWorkers } from "../../server/src/workers";
import { benchDeps } from "./deps";
import { startProbe } from "./probe";
import { wallMs } from "./stats";

export type ServerRequest = { type: "stats-reset" } | { type: "stats" } | { type: "commits" } | { type: "stop" };

export type { ServerStats } from "./probe";

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

  const probe = startProbe();

  process.on("message", async (msg: ServerRequest) => {
    if (msg.type === "stats-reset") {
      probe.reset();
      commits = [];
      process.send!({ type: "stats-reset" });
    } else if (msg.type === "stats") {
      process.send!({ type: "stats", stats: probe.stats() });
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
