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
import { DEMO_PASSWORD, DEMO_USERS, seedDemoIfEmpty } from "./cli/demo";
import { demoExtensions, startWorkers } from "./workers";
import type { Deps } from "./deps";

async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const rt = await prepareRuntime(config, log);
  const stops: Array<() => Promise<unknown>> = [rt.stop];
  const shutdown = async (code: number) => {
    // A step that hangs (a peer holding a connection) must not keep what we started running.
    for (const s of stops.reverse()) await within(s(), 10_000).catch((e) => log.error({ err: e }, "shutdown step failed"));
    process.exit(code);
  };
  try {
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
    const deps: Deps = { config, db, redis, clock, log, bus: new EventBus(), secrets, jwtSecret: rt.jwtSecret };

    const seeded = rt.demo ? await seedDemoIfEmpty(db, demoExtensions(deps)) : null;
    const app = createApp(deps);
    const workers = await startWorkers(deps, app);
    stops.push(() => app.close(), workers.stop);
    await new Promise<void>((resolve) => app.http.listen(config.PORT, resolve));
    const url = `http://localhost:${config.PORT}`;

    const lines = [``, `Pipelines is running at ${url}`, ...rt.notes.map((n) => `  · ${n}`)];
    if (seeded) {
      lines.push(``, `Demo organization created. Sign in with any of these (password: ${DEMO_PASSWORD}):`);
      for (const u of DEMO_USERS) lines.push(`  ${u.email.padEnd(20)} ${u.note}`);
    }
    lines.push(``, `API document: ${url}/api/openapi.json · health: ${url}/readyz`, ``);
    process.stdout.write(lines.join("\n") + "\n");

    let stopping = false;
    for (const sig of ["SIGINT", "SIGTERM"] as const)
      process.on(sig, () => {
        if (stopping) return;
        stopping = true;
        log.info({ sig }, "shutting down");
        void shutdown(0);
      });
  } catch (err) {
    log.fatal({ err }, "start failed");
    process.stderr.write(`\nPipelines could not start: ${(err as Error).message}\n`);
    await shutdown(1);
  }
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

void main();
