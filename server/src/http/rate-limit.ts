// Rate limits kept in Redis so every instance shares them; if Redis is down the
// in-memory insurance limiter keeps limiting per instance instead of failing open.
import type { RequestHandler } from "express";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Deps } from "../deps";
import { addressKey } from "./address-key";
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

/**
 * Login: 10 attempts per email per 15 min unless one succeeds (it resets them); all attempts per address per minute
 * (an IPv6 address counts as its /64: `addressKey`).
 */
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

  /**
   * Throws 429 when this email is locked out or the address is over its rate.
   * Every attempt takes one of the email's points before the password is checked
   * (a success gives them all back): read-then-count let a burst of parallel
   * guesses all pass the check before the first failure was counted.
   */
  async check(email: string, address: string): Promise<void> {
    for (const [limiter, key] of [[this.perAddress, addressKey(address)], [this.failures, email]] as const) {
      try {
        await limiter.consume(key);
      } catch (e) {
        if (e instanceof RateLimiterRes) throw rateLimited(e.msBeforeNext / 1000);
        throw e;
      }
    }
  }

  async succeeded(email: string): Promise<void> {
    await this.failures.delete(email).catch(() => {});
  }
}
