// The app's Deps for a benchmark process, built the way main.ts builds them
// (real PostgreSQL through Prisma, real Redis, the system clock), with a fixed
// JWT secret so the bench can mint contributors' tokens.
import { loadConfig } from "../../server/src/config";
import type { Deps } from "../../server/src/deps";
import { EventBus } from "../../server/src/events/bus";
import { systemClock } from "../../server/src/infra/clock";
import { SecretBox } from "../../server/src/infra/crypto";
import { createLogger } from "../../server/src/infra/logger";
import { createPrisma } from "../../server/src/infra/prisma";
import { createRedis, redisReady } from "../../server/src/infra/redis";

export const BENCH_JWT_SECRET = "bench-secret-bench-secret-bench-secret";
export const BENCH_ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");

export async function benchDeps(opts: { redisUrl: string; databaseUrl: string; poolSize?: number; logLevel?: string }): Promise<Deps> {
  const config = loadConfig({ NODE_ENV: "production", LOG_LEVEL: opts.logLevel ?? "warn", JWT_SECRET: BENCH_JWT_SECRET, ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY });
  const redis = createRedis(opts.redisUrl);
  await redisReady(redis);
  return {
    config,
    db: createPrisma(opts.databaseUrl, opts.poolSize ?? 10),
    redis,
    clock: systemClock,
    log: createLogger(config.LOG_LEVEL),
    bus: new EventBus(),
    secrets: new SecretBox(BENCH_ENCRYPTION_KEY),
    jwtSecret: BENCH_JWT_SECRET,
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.db.$disconnect();
  deps.redis.disconnect();
}
