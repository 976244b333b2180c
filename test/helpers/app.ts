// Starts the real app (real PostgreSQL, real Redis) on port 0 for a test file.
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import type { Redis } from "ioredis";
import { createApp, type App, type AppOptions } from "../../server/src/app";
import { loadConfig, type Config } from "../../server/src/config";
import type { Deps } from "../../server/src/deps";
import { EventBus } from "../../server/src/events/bus";
import { systemClock, type Clock } from "../../server/src/infra/clock";
import { SecretBox } from "../../server/src/infra/crypto";
import { createLogger } from "../../server/src/infra/logger";
import { createPrisma } from "../../server/src/infra/prisma";
import { createRedis, redisReady } from "../../server/src/infra/redis";
import { startWorkers, type Workers } from "../../server/src/workers";

export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret";
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

export interface TestApp {
  deps: Deps;
  app: App;
  url: string;
  workers: Workers | null;
  close(): Promise<void>;
}

export interface TestAppOptions extends AppOptions {
  clock?: Clock;
  config?: Partial<Config>;
  redisUrl?: string;
  databaseUrl?: string;
  /** Start the background workers (sweeper, realtime flushers). */
  workers?: boolean;
  logLevel?: string;
  logDestination?: NodeJS.WritableStream;
}

export function testDeps(opts: TestAppOptions = {}): Deps {
  // No background expiry sweeper by default: test files share one Redis and each has its own clock.
  const config = { ...loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", SWEEP_INTERVAL_MS: "0" }), ...opts.config };
  const db = createPrisma(opts.databaseUrl ?? inject("databaseUrl"), 10);
  const redis: Redis = createRedis(opts.redisUrl ?? inject("redisUrl"));
  return {
    config,
    db,
    redis,
    clock: opts.clock ?? systemClock,
    log: createLogger(opts.logLevel ?? "silent", opts.logDestination),
    bus: new EventBus(),
    secrets: new SecretBox(TEST_ENCRYPTION_KEY),
    jwtSecret: TEST_JWT_SECRET,
  };
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const deps = testDeps(opts);
  await redisReady(deps.redis);
  // Rate limits of their own: the tests share one Redis, and one test's logins must not count against another's.
  const app = createApp(deps, { loginPerAddressPerMinute: 10_000, webDist: null, rateLimitPrefix: `rl-${randomUUID().slice(0, 8)}`, ...opts });
  await new Promise<void>((r) => app.http.listen(0, "127.0.0.1", r));
  const { port } = app.http.address() as { port: number };
  const workers = opts.workers ? await startWorkers(deps, app) : null;
  return {
    deps,
    app,
    url: `http://127.0.0.1:${port}`,
    workers,
    async close() {
      await workers?.stop();
      await app.close();
      await deps.db.$disconnect();
      deps.redis.disconnect();
    },
  };
}
