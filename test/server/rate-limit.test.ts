import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { createOrg } from "../helpers/factories";

let t: TestApp;
const prefix = `rl-${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 5 }, rateLimitPrefix: prefix });
});
afterAll(() => t.close());

describe("API rate limit", () => {
  it("answers 429 rate_limited with Retry-After past the per-user budget, per user", async () => {
    const a = await createOrg(t.deps);
    const b = await createOrg(t.deps);
    const ca = client(t.url, a.admin.token);
    for (let i = 0; i < 5; i++) expect((await ca.get("/api/me")).status).toBe(200);
    const limited = await ca.get("/api/me");
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another user has their own budget.
    expect((await client(t.url, b.admin.token).get("/api/me")).status).toBe(200);
  });

  it("refuses a client past its budget from memory: a flood adds nothing to its Redis counter", async () => {
    const a = await createOrg(t.deps);
    const ca = client(t.url, a.admin.token);
    for (let i = 0; i < 5; i++) expect((await ca.get("/api/me")).status).toBe(200);
    expect((await ca.get("/api/me")).status).toBe(429);
    const key = `${prefix}:api:u:${a.admin.id}`;
    const counted = await t.deps.redis.get(key);
    expect(Number(counted)).toBe(6);
    for (let i = 0; i < 20; i++) {
      const r = await ca.get("/api/me");
      expect(r.status).toBe(429);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(await t.deps.redis.get(key)).toBe(counted);
  });
});
