import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { createOrg } from "../helpers/factories";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 5 } });
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
});
