import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "./logger";

/**
 * Commands fail at once while Redis is down (no offline queue), so a claim
 * answers 503 instead of hanging; the client keeps reconnecting in the background.
 */
export function createRedis(url: string, extra: RedisOptions = {}, log?: Logger): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
    lazyConnect: false,
    ...extra,
  });
  // Failures reach each command's caller (503); this only notes the link state,
  // once per outage rather than once per reconnect attempt.
  let down = false;
  client.on("error", (err) => {
    if (!down) log?.warn({ err: err.message }, "Redis connection error; reconnecting");
    down = true;
  });
  client.on("ready", () => {
    if (down) log?.info("Redis connection restored");
    down = false;
  });
  return client;
}

/** ioredis gave up on a command after `commandTimeout`: the command may still run. */
export const isCommandTimeout = (err: unknown): boolean => /Command timed out/i.test(String((err as Error | undefined)?.message ?? ""));

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
