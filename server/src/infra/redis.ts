import { Redis, type RedisOptions } from "ioredis";

/**
 * Commands fail at once while Redis is down (no offline queue), so a claim
 * answers 503 instead of hanging; the client keeps reconnecting in the background.
 */
export function createRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
    lazyConnect: false,
    ...extra,
  });
}

/** Resolves once the connection is ready, so later commands need no offline queue. */
export async function redisReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Redis did not become ready in time")), timeoutMs);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
