// Start: config → infrastructure → migrations → app → listen; graceful shutdown.
import "dotenv/config";
import { createApp } from "./app";
import { loadConfig } from "./config";
import { EventBus } from "./events/bus";
import { redisClock } from "./infra/redis-clock";
import { SecretBox } from "./infra/crypto";
import { checkEncryptionKey } from "./infra/key-check";
import { createLogger } from "./infra/logger";
import { migrate } from "./infra/migrate";
import { createPrisma } from "./infra/prisma";
import { createRedis, redisReady } from "./infra/redis";
import { prepareRuntime } from "./infra/runtime";
import { DEMO_PASSWORD, DEMO_USERS } from "./cli/demo";
import { seedDemoBeforeWorkers, startWorkers } from "./workers";
import type { Deps } from "./deps";

async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const stops: Array<() => Promise<unknown>> = [];
  let starting: Promise<void> = Promise.resolve();
  let stopping = false;
  const shutdown = async (code: number) => {
    // A signal while starting: stop what started once it has, but not wait on a
    // start step that hangs (a database that accepts and never answers).
    await within(starting, 10_000).catch(() => log.warn("start did not finish: stopping what it started"));
    // Last started, first stopped. A step that hangs (a peer holding a connection) must not keep what we started running.
    for (let s = stops.pop(); s; s = stops.pop()) await within(s(), 10_000).catch((e) => log.error({ err: e }, "shutdown step failed"));
    process.exit(code);
  };
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void shutdown(code);
  };
  // From the first moment, as the embedded services run in process groups of their own: only we stop them.
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.on(sig, () => {
      if (!stopping) log.info({ sig }, "shutting down");
      stop(0);
    });
  // A crash still stops the embedded services rather than leave them running with no owner.
  process.on("uncaughtException", (err) => {
    log.fatal({ err }, "uncaught exception");
    stop(1);
  });

  starting = (async () => {
    const rt = await prepareRuntime(config, log);
    stops.push(rt.stop);
    if (stopping) return;
    const applied = await migrate(rt.databaseUrl);
    if (applied.length) log.info({ applied }, "migrations applied");
    const db = createPrisma(rt.databaseUrl);
    stops.push(() => db.$disconnect());
    const redis = createRedis(rt.redisUrl, { commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS }, log);
    stops.push(async () => redis.disconnect());
    await redisReady(redis);
    const secrets = new SecretBox(rt.encryptionKey);
    await checkEncryptionKey(db, secrets);
    // Every instance reads "now" from one source: the host clock corrected to Redis's TIME.
    const skew = config.CLOCK_OFFSET_MS;
    const clock = await redisClock(redis, skew ? { hostNow: () => Date.now() + skew } : {});
    stops.push(async () => clock.stop());
    if (stopping) return;
    const deps: Deps = { config, db, redis, clock, log, bus: new EventBus(), secrets, jwtSecret: rt.jwtSecret };

    // Waits for a demo seed under way on another instance even when this one seeds nothing.
    const seeded = await seedDemoBeforeWorkers(deps, rt.demo);
    const app = createApp(deps);
    const workers = await startWorkers(deps, app);
    // Stopped in reverse: the HTTP server drains its requests first, while the workers still run.
    stops.push(workers.stop, () => app.close());
    await new Promise<void>((resolve, reject) => {
      app.http.once("error", (err: NodeJS.ErrnoException) =>
        reject(err.code === "EADDRINUSE" ? new Error(`Port ${config.PORT} is already in use: stop what holds it, or set PORT.`) : err),
      );
      app.http.listen(config.PORT, resolve);
    });
    const url = `http://localhost:${config.PORT}`;

    const lines = [``, `Pipelines is running at ${url}`, ...rt.notes.map((n) => `  · ${n}`)];
    if (seeded) {
      lines.push(``, `Demo organization created. Sign in with any of these (password: ${DEMO_PASSWORD}):`);
      for (const u of DEMO_USERS) lines.push(`  ${u.email.padEnd(20)} ${u.note}`);
    } else if (rt.demo && (await db.user.count({ where: { email: DEMO_USERS[0].email } }))) {
      // A restart: the demo org is already there, and its sign-in is still worth showing.
      lines.push(``, `Demo organization: sign in as ${DEMO_USERS.map((u) => u.email).join(", ")} (password: ${DEMO_PASSWORD})`);
    }
    lines.push(``, `API document: ${url}/api/openapi.json · health: ${url}/readyz`, ``);
    process.stdout.write(lines.join("\n") + "\n");
  })().catch((err: Error) => {
    if (stopping) return; // stopped while starting: what failed failed under the shutdown
    log.debug({ err }, "start failed");
    process.stderr.write(`\nPipelines could not start: ${err.message}\n`);
    stop(1);
  });
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

void main();
