// One notion of "now" for every server instance: the local clock corrected by
// its measured offset to Redis's TIME (the best of a few samples, re-measured
// every minute). Lease deadlines and schedule checks are decided with it, so a
// skewed host clock neither shortens a lease nor opens a schedule early.
// If Redis cannot be reached the last offset is kept.
import type { Redis } from "ioredis";
import type { Clock } from "./clock";

export interface SharedClock extends Clock {
  /** Milliseconds added to the host clock. */
  offsetMs(): number;
  stop(): void;
}

export async function redisClock(redis: Redis, opts: { refreshMs?: number; samples?: number; hostNow?: () => number } = {}): Promise<SharedClock> {
  // The host clock (a skewed one in the chaos tests: CLOCK_OFFSET_MS).
  const hostNow = opts.hostNow ?? Date.now;
  let offset = 0;
  const measure = async () => {
    let best: { rtt: number; offset: number } | null = null;
    for (let i = 0; i < (opts.samples ?? 3); i++) {
      const t0 = hostNow();
      const [s, us] = await redis.time();
      const t1 = hostNow();
      const server = Number(s) * 1000 + Math.floor(Number(us) / 1000);
      if (!best || t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: Math.round(server - (t0 + t1) / 2) };
    }
    if (best) offset = best.offset;
  };
  await measure().catch(() => {});
  const timer = setInterval(() => void measure().catch(() => {}), opts.refreshMs ?? 60_000);
  timer.unref();
  return {
    now: () => new Date(hostNow() + offset),
    offsetMs: () => offset,
    stop: () => clearInterval(timer),
  };
}
