import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "./logger";

/**
 * Commands fail at once while Redis is down (no offline queue), so a claim
 * answers 503 instead of hanging; the client keeps reconnecting in the background.
 * A command whose reply was lost with the connection is failed, never sent
 * again on reconnect: a claim script resent would run twice.
 */
export function createRedis(url: string, extra: RedisOptions = {}, log?: Logger): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
    lazyConnect: false,
    autoResendUnfulfilledCommands: false,
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
  client.on("reconnecting", () => failStranded(client));
  return client;
}

/**
 * With resending off, ioredis drops the commands that were in flight when the
 * connection closed without settling them (ioredis 5: they wait for
 * commandTimeout, or forever). Fail them now as a closed connection: 503, and
 * the claim path treats the outcome as unknown.
 */
function failStranded(client: Redis): void {
  const c = client as unknown as { options: RedisOptions; prevCommandQueue?: { length: number; shift(): { command: { reject(e: Error): void } } } | null };
  const stranded = c.prevCommandQueue;
  if (c.options.autoResendUnfulfilledCommands !== false || !stranded) return;
  c.prevCommandQueue = null;
  while (stranded.length) stranded.shift().command.reject(new Error("Connection is closed."));
}

/** ioredis gave up on a command after `commandTimeout`: the command may still run. */
export const isCommandTimeout = (err: unknown): boolean => /Command timed out/i.test(String((err as Error | undefined)?.message ?? ""));

/** The command was refused before it was written (no connection, no offline queue): it never ran. */
export const neverSentToRedis = (err: unknown): boolean => /enableOfflineQueue options is false/i.test(String((err as Error | undefined)?.message ?? ""));

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
