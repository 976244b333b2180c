import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { createOrg } from "../helpers/factories";
import { addressKey } from "../../server/src/http/address-key";
import { loadConfig } from "../../server/src/config";

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

describe("sign-in limit per address", () => {
  it("keys an IPv6 address by its /64 and an IPv4-mapped one by its IPv4 address", () => {
    expect(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::ffff:cb00:7109")).toBe("203.0.113.9");
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("unknown")).toBe("unknown");
  });

  // The app trusts a proxy on loopback, so the tests' X-Forwarded-For is the client address.
  let s: TestApp;
  beforeAll(async () => {
    s = await startTestApp({ loginPerAddressPerMinute: 3 });
  });
  afterAll(() => s.close());
  const attempt = (from: string) =>
    client(s.url).post("/api/auth/login", { email: `${randomUUID()}@test.local`, password: "wrong" }, { "x-forwarded-for": from });

  it("one IPv6 /64 shares one budget, whichever of its addresses the attempts come from", async () => {
    for (const from of ["2001:db8:77:1::1", "2001:db8:77:1::2", "2001:db8:77:1:abcd:ef01:2345:6789"]) expect((await attempt(from)).status).toBe(401);
    const limited = await attempt("2001:db8:77:1:ffff::9");
    expect([limited.status, limited.body.error.code]).toEqual([429, "rate_limited"]);
    // The next /64 is another host.
    expect((await attempt("2001:db8:77:2::1")).status).toBe(401);
  });

  it("an IPv4 address shares its budget with its IPv4-mapped IPv6 form", async () => {
    expect((await attempt("198.51.100.7")).status).toBe(401);
    expect((await attempt("::ffff:198.51.100.7")).status).toBe(401);
    expect((await attempt("198.51.100.7")).status).toBe(401);
    expect((await attempt("::ffff:198.51.100.7")).status).toBe(429);
    expect((await attempt("198.51.100.8")).status).toBe(401);
  });
});

describe("TRUST_PROXY: whose X-Forwarded-For names the client", () => {
  it("reads true, false, a hop count and address lists, and refuses what Express cannot read", () => {
    expect(loadConfig({}).TRUST_PROXY).toBe("loopback");
    expect(loadConfig({ TRUST_PROXY: "false" }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "loopback, uniquelocal, 10.1.0.0/16" }).TRUST_PROXY).toBe("loopback, uniquelocal, 10.1.0.0/16");
    expect(() => loadConfig({ TRUST_PROXY: "the-balancer" })).toThrow(/TRUST_PROXY/);
  });

  // Behind no proxy, a caller choosing its own X-Forwarded-For must not get a fresh budget per header.
  let s: TestApp;
  beforeAll(async () => {
    s = await startTestApp({ loginPerAddressPerMinute: 2, config: { TRUST_PROXY: false } });
  });
  afterAll(() => s.close());

  it("with a proxy not trusted, the connection's own address is counted, whatever the header says", async () => {
    const attempt = (from: string) =>
      client(s.url).post("/api/auth/login", { email: `${randomUUID()}@test.local`, password: "wrong" }, { "x-forwarded-for": from });
    expect((await attempt("203.0.113.1")).status).toBe(401);
    expect((await attempt("203.0.113.2")).status).toBe(401);
    expect((await attempt("203.0.113.3")).status).toBe(429);
  });
});
