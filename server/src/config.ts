// One zod-parsed configuration object, read from the environment (and `.env`).
import express from "express";
import { z } from "zod";

/** Express compiles "trust proxy" when it is set, and throws on what it cannot read. */
function validTrust(v: boolean | number | string) {
  try {
    express().set("trust proxy", v);
    return true;
  } catch {
    return false;
  }
}

const bool01 = z.enum(["0", "1"]).transform((v) => v === "1");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  /** A Redis command unanswered this long fails (503) instead of waiting out a partition. */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  DATA_DIR: z.string().default("./.data"),
  JWT_SECRET: z.string().min(16, "JWT_SECRET must be at least 16 characters").optional(),
  ENCRYPTION_KEY: z.string().optional(),
  DEMO: bool01.optional(),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : [])),
  /**
   * How long an idle keep-alive connection stays open (s). Longer than a load
   * balancer's idle timeout (60 s on the common ones), so the balancer, not this
   * server, closes an idle connection: a server that closes first races the
   * balancer's next request on it, which then fails (ECONNRESET, a 502).
   */
  HTTP_KEEP_ALIVE_SECONDS: z.coerce.number().int().min(1).max(3600).default(65),
  /**
   * Which proxies' X-Forwarded-For names the client (Express "trust proxy"): `false`, a hop
   * count, or addresses/subnets/names (`loopback`, `uniquelocal`, `10.0.0.0/8`). The sign-in
   * limit per address counts that client; trusting too little puts everyone behind a
   * balancer into one budget, trusting too much lets a caller pick its own address.
   */
  TRUST_PROXY: z
    .string()
    .default("loopback")
    .transform((v) => (v === "true" ? true : v === "false" ? false : /^\d+$/.test(v) ? Number(v) : v))
    .refine(validTrust, "TRUST_PROXY must be true, false, a hop count, or addresses, subnets or loopback/linklocal/uniquelocal"),
  RATE_LIMIT_PER_MIN: z.coerce.number().int().positive().default(1200),
  /**
   * The largest agent run body (input, output and trace together), in MB. Runs are
   * stored twice (the run and its task's payload) and shown whole on a task's page,
   * so far less than an import (32 MB); at most 32, what deploy/nginx.conf lets through.
   */
  RUN_BODY_LIMIT_MB: z.coerce.number().int().min(1).max(32).default(8),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  CLAIM_EXPIRING_SECONDS: z.coerce.number().int().positive().default(120),
  /** How often the claim-expiry sweeper runs (ms); 0 turns it off (tests sweep by hand). */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  /** How long an instance may reuse an actor it read (rights changes still apply at once: access/actor-cache.ts); 0 reads every request. */
  ACTOR_CACHE_SECONDS: z.coerce.number().int().min(0).default(60),
  PUBLIC_URL: z.string().url().optional(),
  /** When set, GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset (or empty), it is public. */
  METRICS_TOKEN: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
  ),
  /** Test only: this instance's host clock runs this far off (test/chaos/clock-skew.test.ts). */
  CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
