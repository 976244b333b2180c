import { afterAll, beforeAll, describe, expect, it } from "vitest";
import jwt from "jsonwebtoken";
import { generateApiKey } from "../../server/src/auth/api-keys";
import { signToken } from "../../server/src/auth/jwt";
import { ManualClock } from "../../server/src/infra/clock";
import { startTestApp, TEST_JWT_SECRET, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { createOrg, createWorld, FACTORY_PASSWORD } from "../helpers/factories";

let t: TestApp;
const clock = new ManualClock("2026-11-23T12:00:00Z");
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

const sign = (payload: object, secret = TEST_JWT_SECRET, opts: jwt.SignOptions = {}) =>
  jwt.sign(payload, secret, { algorithm: "HS256", issuer: "pipelines", audience: "pipelines-api", ...opts });

describe("login", () => {
  it("signs in with email and password, case-insensitively, and the token works", async () => {
    const { admin } = await createOrg(t.deps);
    const res = await client(t.url).post("/api/auth/login", { email: admin.email.toUpperCase(), password: FACTORY_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: admin.id, email: admin.email, name: admin.name });
    const claims = jwt.decode(res.body.token) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(12 * 3600);
    expect((await client(t.url, res.body.token).get("/api/me")).status).toBe(200);
  });

  it("refuses a wrong password with 401 and locks the email after 10 failures (429 + Retry-After)", async () => {
    const { admin } = await createOrg(t.deps);
    const c = client(t.url);
    for (let i = 0; i < 10; i++) expect((await c.post("/api/auth/login", { email: admin.email, password: "wrong" })).status).toBe(401);
    const locked = await c.post("/api/auth/login", { email: admin.email, password: FACTORY_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("rate_limited");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("counts a burst of parallel wrong passwords before checking them: at most 10 are tried", async () => {
    const { admin } = await createOrg(t.deps);
    const c = client(t.url);
    const burst = await Promise.all(Array.from({ length: 25 }, () => c.post("/api/auth/login", { email: admin.email, password: "wrong" })));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    expect((await c.post("/api/auth/login", { email: admin.email, password: FACTORY_PASSWORD })).status).toBe(429);
  });

  it("a right password gives the email its attempts back", async () => {
    const { admin } = await createOrg(t.deps);
    const c = client(t.url);
    // 6 + 6 wrong ones: more than 10 in all, but never 10 in a row.
    for (let i = 0; i < 6; i++) expect((await c.post("/api/auth/login", { email: admin.email, password: "wrong" })).status).toBe(401);
    expect((await c.post("/api/auth/login", { email: admin.email, password: FACTORY_PASSWORD })).status).toBe(200);
    for (let i = 0; i < 6; i++) expect((await c.post("/api/auth/login", { email: admin.email, password: "wrong" })).status).toBe(401);
    expect((await c.post("/api/auth/login", { email: admin.email, password: FACTORY_PASSWORD })).status).toBe(200);
  });
});

describe("tokens that are not exactly ours answer 401", () => {
  let userId: string;
  beforeAll(async () => {
    userId = (await createOrg(t.deps)).admin.id;
  });
  const now = () => Math.floor(clock.now().getTime() / 1000);
  const cases: Array<[string, () => string]> = [
    ["alg none", () => jwt.sign({ sub: userId, iss: "pipelines", aud: "pipelines-api", exp: now() + 60 }, "", { algorithm: "none" })],
    ["wrong secret", () => sign({ sub: userId, exp: now() + 60 }, "another-secret-another-secret")],
    ["expired", () => sign({ sub: userId, exp: now() - 1 })],
    ["wrong audience", () => jwt.sign({ sub: userId, exp: now() + 60 }, TEST_JWT_SECRET, { issuer: "pipelines", audience: "other" })],
    ["wrong issuer", () => jwt.sign({ sub: userId, exp: now() + 60 }, TEST_JWT_SECRET, { issuer: "evil", audience: "pipelines-api" })],
    ["HS512", () => sign({ sub: userId, exp: now() + 60 }, TEST_JWT_SECRET, { algorithm: "HS512" })],
    ["expiry beyond 12 h", () => sign({ sub: userId, exp: now() + 13 * 3600 })],
    ["no expiry", () => jwt.sign({ sub: userId }, TEST_JWT_SECRET, { algorithm: "HS256", issuer: "pipelines", audience: "pipelines-api" })],
    ["unknown user", () => sign({ sub: "no-such-user", exp: now() + 60 })],
    ["garbage", () => "not.a.jwt"],
    ["empty bearer", () => ""],
  ];
  for (const [name, make] of cases)
    it(name, async () => {
      const res = await fetch(`${t.url}/api/me`, { headers: { authorization: `Bearer ${make()}` } });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthenticated");
    });

  it("a token expires with the clock", async () => {
    const token = signToken(TEST_JWT_SECRET, userId, clock, 60);
    expect((await client(t.url, token).get("/api/me")).status).toBe(200);
    clock.advance(61_000);
    expect((await client(t.url, token).get("/api/me")).status).toBe(401);
  });
});

describe("API keys", () => {
  it("act as their maker within the key's org, and die when revoked", async () => {
    const w = await createWorld(t.deps);
    const k = generateApiKey();
    const row = await t.deps.db.apiKey.create({ data: { orgId: w.org.id, createdById: w.admin.id, name: "ci", prefix: k.prefix, hash: k.hash } });
    const c = client(t.url, k.key);
    expect((await c.get(`/api/orgs/${w.org.id}/people`)).status).toBe(200);
    expect((await c.get(`/api/orgs/${w.other.org.id}`)).status).toBe(404);
    expect((await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt).not.toBeNull();
    await t.deps.db.apiKey.update({ where: { id: row.id }, data: { revokedAt: clock.now() } });
    expect((await c.get(`/api/orgs/${w.org.id}/people`)).status).toBe(401);
    expect((await client(t.url, "pk_deadbeef_nope").get("/api/me")).status).toBe(401);
  });
});

describe("invitations", () => {
  it("invite → accept sets the password once; the link is single-use and expires", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const inv = await admin.post(`/api/orgs/${w.org.id}/people`, {
      email: "New.Person@Test.local",
      projects: [{ projectId: w.project.id, role: "contributor", contributorTypeId: w.type.id }],
    });
    expect(inv.status).toBe(201);
    expect(inv.body.user.email).toBe("new.person@test.local");
    expect(inv.body.invitation.url).toContain(inv.body.invitation.token);
    // Not yet accepted: cannot sign in.
    expect((await client(t.url).post("/api/auth/login", { email: "new.person@test.local", password: "whatever-1" })).status).toBe(401);
    const acc = await client(t.url).post("/api/auth/accept-invite", { token: inv.body.invitation.token, password: "a-good-password", name: "New Person" });
    expect(acc.status).toBe(200);
    const me = await client(t.url, acc.body.token).get("/api/me");
    expect(me.body.projects).toEqual([expect.objectContaining({ id: w.project.id, role: "contributor", contributorType: { id: w.type.id, name: "Domain Expert" } })]);
    expect((await client(t.url).post("/api/auth/accept-invite", { token: inv.body.invitation.token, password: "another-password" })).status).toBe(400);

    const late = await admin.post(`/api/orgs/${w.org.id}/people`, { email: "late@test.local" });
    clock.advance(8 * 24 * 3600 * 1000);
    const expired = await client(t.url).post("/api/auth/accept-invite", { token: late.body.invitation.token, password: "a-good-password" });
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe("invalid_request");
  });

  it("an account from another organization joins only when its holder accepts with their own password", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const outsider = w.other.admin;
    const inv = await admin.post(`/api/orgs/${w.org.id}/people`, {
      email: outsider.email,
      name: "Someone",
      orgRole: "admin",
      projects: [{ projectId: w.project.id, role: "owner" }],
    });
    expect(inv.status).toBe(201);
    // Answered as for anyone invited: a link, and nothing of the account's own.
    expect(inv.body.invitation.url).toContain(inv.body.invitation.token);
    expect(inv.body.user.email).toBe(outsider.email);
    const token = inv.body.invitation.token as string;

    // No rights in the org until they accept; People lists them as invited.
    const theirs = client(t.url, outsider.token);
    expect((await theirs.get("/api/me")).body.orgs.map((o: { id: string }) => o.id)).toEqual([w.other.org.id]);
    expect((await theirs.get(`/api/projects/${w.project.id}`)).status).toBe(404);
    const people = (await admin.get(`/api/orgs/${w.org.id}/people`)).body.items as Array<{ user: { id: string }; status: string }>;
    expect(people.find((p) => p.user.id === outsider.id)?.status).toBe("invited");

    // The link tells its holder whose account it is for.
    const preview = await client(t.url).get(`/api/auth/invitations/${token}`);
    expect(preview.body).toMatchObject({ orgName: w.org.name, email: outsider.email, hasAccount: true });

    // A wrong password neither joins nor uses up the link; theirs does, and changes neither password nor name.
    const wrong = await client(t.url).post("/api/auth/accept-invite", { token, password: "not-their-password" });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, "unauthenticated"]);
    const ok = await client(t.url).post("/api/auth/accept-invite", { token, password: FACTORY_PASSWORD, name: "Renamed by the link" });
    expect(ok.status).toBe(200);
    const me = await client(t.url, ok.body.token).get("/api/me");
    expect(me.body.orgs.map((o: { id: string }) => o.id).sort()).toEqual([w.org.id, w.other.org.id].sort());
    expect(me.body.user.name).toBe(outsider.name);
    expect((await theirs.get(`/api/projects/${w.project.id}`)).status).toBe(200);
    expect((await client(t.url).post("/api/auth/login", { email: outsider.email, password: FACTORY_PASSWORD })).status).toBe(200);
    const after = (await admin.get(`/api/orgs/${w.org.id}/people`)).body.items as Array<{ user: { id: string }; status: string }>;
    expect(after.find((p) => p.user.id === outsider.id)?.status).toBe("active");
  });

  it("inviting someone still invited gives them a new link in place of the old one", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const first = await admin.post(`/api/orgs/${w.org.id}/people`, { email: "twice@test.local" });
    const second = await admin.post(`/api/orgs/${w.org.id}/people`, { email: "twice@test.local", orgRole: "admin" });
    expect(second.status).toBe(201);
    expect((await client(t.url).post("/api/auth/accept-invite", { token: first.body.invitation.token, password: "a-good-password" })).status).toBe(400);
    const ok = await client(t.url).post("/api/auth/accept-invite", { token: second.body.invitation.token, password: "a-good-password" });
    expect(ok.status).toBe(200);
    expect((await client(t.url, ok.body.token).get("/api/me")).body.orgs).toEqual([expect.objectContaining({ id: w.org.id, role: "admin" })]);
  });

  it("inviting someone already in the org answers 409 and the org keeps one admin", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const again = await admin.post(`/api/orgs/${w.org.id}/people`, { email: w.member.email });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_member");
    const demote = await admin.patch(`/api/orgs/${w.org.id}/people/${w.admin.id}`, { orgRole: "member" });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe("last_admin");
    expect((await admin.delete(`/api/orgs/${w.org.id}/people/${w.admin.id}`)).status).toBe(409);
  });
});
