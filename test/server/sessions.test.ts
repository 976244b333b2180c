// Ending sessions: a password change or "sign out everywhere" bumps the account's session
// version, and every login token issued before is refused, on this instance and another,
// over HTTP and on live sockets; the token a password change answers works everywhere at
// once. Two instances share PostgreSQL and Redis, with their actor caches on.
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorCacheOf } from "../../server/src/access/actor-cache";
import { dropEndedSessions } from "../../server/src/realtime/sessions";
import { startTestApp, TEST_JWT_SECRET, type TestApp } from "../helpers/app";
import { addOrgMember, createOrg, FACTORY_PASSWORD } from "../helpers/factories";
import { client } from "../helpers/http";
import { connect, refused } from "../helpers/socket";

let one: TestApp;
let two: TestApp;
beforeAll(async () => {
  [one, two] = await Promise.all([startTestApp({ workers: true }), startTestApp({ workers: true })]);
  await until(() => actorCacheOf(one.deps.db).active && actorCacheOf(two.deps.db).active);
});
afterAll(async () => {
  await Promise.all([one?.close(), two?.close()]);
});

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const login = async (url: string, email: string, password = FACTORY_PASSWORD) => client(url).post("/api/auth/login", { email, password });
const me = async (url: string, token: string) => (await client(url, token).get("/api/me")).status;
const NEW_PASSWORD = "a-brand-new-password";

describe("change my password", () => {
  it("ends every other session (HTTP and sockets, both instances) and answers a token that works everywhere at once", async () => {
    const { admin } = await createOrg(one.deps);
    const [a, b] = [(await login(one.url, admin.email)).body.token as string, (await login(one.url, admin.email)).body.token as string];
    // Both instances hold the actor (version 0) in their caches.
    expect([await me(one.url, b), await me(two.url, b)]).toEqual([200, 200]);
    const [onOne, onTwo] = await Promise.all([connect(one.url, b), connect(two.url, b)]);

    const res = await client(one.url, a).post("/api/me/password", { currentPassword: FACTORY_PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: admin.id, email: admin.email, name: admin.name });
    const fresh = res.body.token as string;
    expect((jwt.decode(fresh) as jwt.JwtPayload).sv).toBe(1);

    // The fresh token works at once, on the other instance too (newer than what it kept: read again).
    expect([await me(one.url, fresh), await me(two.url, fresh)]).toEqual([200, 200]);
    expect([await me(one.url, a), await me(one.url, b), await me(one.url, admin.token)]).toEqual([401, 401, 401]);
    await until(async () => (await me(two.url, b)) === 401);
    const refusedBody = (await client(one.url, b).get("/api/me")).body;
    expect(refusedBody.error.code).toBe("unauthenticated");

    for (const s of [onOne, onTwo]) {
      expect(await s.waitFor("session:expired")).toEqual({ expiredAt: expect.any(String) });
      await s.waitFor("disconnect");
    }
    expect((await refused(one.url, b)).data?.code).toBe("unauthenticated");
    (await connect(two.url, fresh)).close();

    expect((await login(one.url, admin.email)).status).toBe(401);
    expect((await login(one.url, admin.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("a token newer than the actor an instance kept is checked against PostgreSQL, not refused", async () => {
    const { org, admin } = await createOrg(one.deps);
    const fresh = (await client(one.url, admin.token).post("/api/me/password", { currentPassword: FACTORY_PASSWORD, newPassword: NEW_PASSWORD })).body.token;
    await until(async () => (await me(two.url, admin.token)) === 401);
    // Instance two still keeps version 0, as when the change's announcement is on its way.
    const cache = actorCacheOf<unknown>(two.deps.db);
    cache.forget(admin.id);
    const stale = { id: admin.id, email: admin.email, name: admin.name, sessionVersion: 0, canLogIn: true, orgs: [{ orgId: org.id, role: "admin" }], projects: [] };
    await cache.get(admin.id, async () => stale);
    expect(await me(two.url, fresh)).toBe(200);
  });

  it("a wrong current password changes nothing: 400 wrong_password on the field, every token still works", async () => {
    const { admin } = await createOrg(one.deps);
    const res = await client(one.url, admin.token).post("/api/me/password", { currentPassword: "not-it", newPassword: NEW_PASSWORD });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("wrong_password");
    expect(res.body.error.details.issues).toEqual([{ in: "body", path: "currentPassword", message: expect.any(String) }]);
    expect(await me(one.url, admin.token)).toBe(200);
    expect((await login(one.url, admin.email)).status).toBe(200);
    expect((await one.deps.db.user.findUniqueOrThrow({ where: { id: admin.id } })).sessionVersion).toBe(0);
  });

  it("checks the new password like an invitation's (8 characters or more) and the body strictly", async () => {
    const { admin } = await createOrg(one.deps);
    const c = client(one.url, admin.token);
    const short = await c.post("/api/me/password", { currentPassword: FACTORY_PASSWORD, newPassword: "short" });
    expect(short.status).toBe(400);
    expect(short.body.error.details.issues[0]).toMatchObject({ path: "newPassword" });
    expect((await c.post("/api/me/password", { currentPassword: FACTORY_PASSWORD, newPassword: NEW_PASSWORD, extra: 1 })).status).toBe(400);
    expect((await login(one.url, admin.email)).status).toBe(200);
  });

  it("spends the sign-in's per-email budget: guesses lock the email (429), the right password included, and sign-in too", async () => {
    const { admin } = await createOrg(one.deps);
    const c = client(one.url, admin.token);
    const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) => c.post("/api/me/password", { currentPassword: `guess-${i}`, newPassword: NEW_PASSWORD })));
    expect(guesses.map((g) => g.status).sort()).toEqual([...Array(10).fill(400), 429, 429]);
    const right = await c.post("/api/me/password", { currentPassword: FACTORY_PASSWORD, newPassword: NEW_PASSWORD });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe("rate_limited");
    expect((await login(one.url, admin.email)).status).toBe(429);
    expect(await me(one.url, admin.token)).toBe(200);
  });

  it("of two changes at once with the right password, one wins", async () => {
    const { admin } = await createOrg(one.deps);
    const c = client(one.url, admin.token);
    const both = await Promise.all(["first-new-password", "second-new-password"].map((p) => c.post("/api/me/password", { currentPassword: FACTORY_PASSWORD, newPassword: p })));
    const won = both.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(both.find((r) => r.status !== 200)!.body.error.code).toMatch(/^(password_changed|wrong_password)$/);
    expect(await me(one.url, won[0]!.body.token)).toBe(200);
    expect((await one.deps.db.user.findUniqueOrThrow({ where: { id: admin.id } })).sessionVersion).toBe(1);
  });
});

describe("sign out everywhere", () => {
  it("ends every session, this one too (204), closes live sockets, and a new sign-in works", async () => {
    const { admin } = await createOrg(one.deps);
    const other = (await login(two.url, admin.email)).body.token as string;
    const live = await connect(two.url, other);
    expect((await client(one.url, admin.token).post("/api/me/sign-out-everywhere")).status).toBe(204);
    expect([await me(one.url, admin.token), await me(one.url, other)]).toEqual([401, 401]);
    await until(async () => (await me(two.url, other)) === 401);
    await live.waitFor("session:expired");
    await live.waitFor("disconnect");
    const again = await login(one.url, admin.email);
    expect(again.status).toBe(200);
    expect(await me(two.url, again.body.token)).toBe(200);
  });

  it("counts a token issued before session versions (no `sv`) as version 0", async () => {
    const { admin } = await createOrg(one.deps);
    const legacy = jwt.sign({ sub: admin.id }, TEST_JWT_SECRET, { algorithm: "HS256", issuer: "pipelines", audience: "pipelines-api", expiresIn: 600 });
    expect(await me(one.url, legacy)).toBe(200);
    const forged = jwt.sign({ sub: admin.id, sv: -1 }, TEST_JWT_SECRET, { algorithm: "HS256", issuer: "pipelines", audience: "pipelines-api", expiresIn: 600 });
    expect(await me(one.url, forged)).toBe(401);
    expect((await client(one.url, admin.token).post("/api/me/sign-out-everywhere")).status).toBe(204);
    expect(await me(one.url, legacy)).toBe(401);
  });
});

describe("API keys", () => {
  it("may not change a password or end sessions (403), and keep working, sockets too, when their maker's sessions end", async () => {
    const { org, admin } = await createOrg(one.deps);
    const key = (await client(one.url, admin.token).post(`/api/orgs/${org.id}/api-keys`, { name: "ci" })).body.key as string;
    const k = client(one.url, key);
    const change = await k.post("/api/me/password", { currentPassword: FACTORY_PASSWORD, newPassword: NEW_PASSWORD });
    expect(change.status).toBe(403);
    expect(change.body.error.code).toBe("forbidden");
    expect((await k.post("/api/me/sign-out-everywhere")).status).toBe(403);
    expect((await login(one.url, admin.email)).status).toBe(200);

    const keySocket = await connect(one.url, key);
    const loginSocket = await connect(one.url, admin.token);
    expect((await client(one.url, admin.token).post("/api/me/sign-out-everywhere")).status).toBe(204);
    await loginSocket.waitFor("disconnect");
    // The resync's check of every socket's version leaves a key's alone.
    await dropEndedSessions(one.deps, one.app.realtime.io, one.app.realtime.feeds.emitter);
    expect(keySocket.socket.connected).toBe(true);
    expect(keySocket.of("session:expired")).toEqual([]);
    expect((await k.get(`/api/orgs/${org.id}`)).status).toBe(200);
    keySocket.close();
  });
});

describe("audit", () => {
  it("records a change and a sign-out in every org the person joined, with no password in them", async () => {
    const a = await createOrg(one.deps);
    const b = await createOrg(one.deps);
    const person = await addOrgMember(one.deps, a.org.id);
    await one.deps.db.orgMember.create({ data: { orgId: b.org.id, userId: person.id, role: "member" } });
    const res = await client(one.url, person.token).post("/api/me/password", { currentPassword: FACTORY_PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect((await client(one.url, res.body.token).post("/api/me/sign-out-everywhere")).status).toBe(204);
    const entries = await one.deps.db.auditEntry.findMany({ where: { resourceId: person.id }, orderBy: { createdAt: "asc" } });
    const seen = entries.map((e) => `${e.orgId === a.org.id ? "a" : "b"} ${e.action} ${e.actorUserId === person.id}`).sort();
    expect(seen).toEqual(["a account.password_change true", "a account.sign_out_everywhere true", "b account.password_change true", "b account.sign_out_everywhere true"]);
    const text = JSON.stringify(entries);
    for (const secret of [FACTORY_PASSWORD, NEW_PASSWORD, "argon2"]) expect(text).not.toContain(secret);
  });
});
