// Rate limits kept in Redis so every instance shares them; if Redis is down the
// in-memory insurance limiter keeps limiting per instance instead of failing open.
import type { RequestHandler } from "express";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Deps } from "../deps";
import { rateLimited } from "./errors";

export function apiRateLimit(deps: Deps, prefix = "rl"): RequestHandler {
  const points = deps.config.RATE_LIMIT_PER_MIN;
  const limiter = new RateLimiterRedis({
    storeClient: deps.redis,
    keyPrefix: `${prefix}:api`,
    points,
    duration: 60,
    // A client past its budget is refused from memory until its window ends, so a
    // flood costs Redis no call per request.
    inMemoryBlockOnConsumed: points + 1,
    insuranceLimiter: new RateLimiterMemory({ points, duration: 60 }),
  });
  return async (req, _res, next) => {
    if (!req.actor) return next();
    try {
      await limiter.consume(req.actor.apiKey ? `k:${req.actor.apiKey.id}` : `u:${req.actor.userId}`);
      next();
    } catch (e) {
      next(e instanceof RateLimiterRes ? rateLimited(e.msBeforeNext / 1000) : e);
    }
  };
}

/** Login: 10 failed attempts per email per 15 min; all attempts per address per minute. */
export class LoginLimiter {
  private readonly failures: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(deps: Deps, perAddressPerMinute = 60, prefix = "rl") {
    this.failures = new RateLimiterRedis({
      storeClient: deps.redis,
      keyPrefix: `${prefix}:login-fail`,
      points: 10,
      duration: 15 * 60,
      insuranceLimiter: new RateLimiterMemory({ points: 10, duration: 15 * 60 }),
    });
    this.perAddress = new RateLimiterRedis({
      storeClient: deps.redis,
      keyPrefix: `${prefix}:login-ip`,
      points: perAddressPerMinute,
      duration: 60,
      insuranceLimiter: new RateLimiterMemory({ points: perAddressPerMinute, duration: 60 }),
    });
  }

  /** Throws 429 when this email is locked out or the address is over its rate. */
  async check(email: string, address: string): Promise<void> {
    try {
      await this.perAddress.consume(address);
    } catch (e) {
      if (e instanceof RateLimiterRes) throw rateLimited(e.msBeforeNext / 1000);
      throw e;
    }
    const res = await this.failures.get(email);
    if (res && res.consumedPoints >= 10) throw rateLimited(res.msBeforeNext / 1000);
  }

  async failed(email: string): Promise<void> {
    await this.failures.penalty(email, 1).catch(() => {});
  }

  async succeeded(email: string): Promise<void> {
    await this.failures.delete(email).catch(() => {});
  }
}
