// Password reset links made by an Org Admin, and the operator's reset: single use (also
// when used twice at once), 24 hours by the server's clock, refused for an account that
// also opens an org the admin does not manage (when made and when used), never
// interchangeable with invitations; using one ends every session of the account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { operatorResetPassword } from "../../server/src/modules/auth/operator-reset";
import { dropEndedSessions } from "../../server/src/realtime/sessions";
import { startTestApp, type TestApp } from "../helpers/app";
import { addOrgMember, createOrg, createUser, FACTORY_PASSWORD } from "../helpers/factories";
import { client } from "../helpers/http";
import { connect } from "../helpers/socket";

const clock = new ManualClock("2026-06-01T10:00:00Z");
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock, workers: true });
});
afterAll(() => t.close());

const login = (email: string, password = FACTORY_PASSWORD) => client(t.url).post("/api/auth/login", { email, password });
const me = async (token: string) => (await client(t.url, token).get("/api/me")).status;
const linkFor = (admin: { token: string }, orgId: string, userId: string) => client(t.url, admin.token).post(`/api/orgs/${orgId}/people/${userId}/password-reset`);
const use = (token: string, password = "the-new-password") => client(t.url).post(`/api/auth/password-resets/${token}`, { password });

async function scene() {
  const { org, admin } = await createOrg(t.deps);
  const person = await addOrgMember(t.deps, org.id);
  return { org, admin, person };
}

describe("an Org Admin's reset link", () => {
  it("is answered once; its holder sees the email, sets a password, is signed in, and every older session ends", async () => {
    const { org, admin, person } = await scene();
    const live = await connect(t.url, person.token);
    const made = await linkFor(admin, org.id, person.id);
    expect(made.status).toBe(201);
    expect(made.body.user).toEqual({ id: person.id, email: person.email, name: person.name });
    const { token, url, expiresAt } = made.body.reset;
    expect(url).toBe(`/reset-password?token=${token}`);
    expect(expiresAt).toBe("2026-06-02T10:00:00.000Z");
    // Made, not used: nothing ends yet.
    expect(await me(person.token)).toBe(200);

    expect((await client(t.url).get(`/api/auth/password-resets/${token}`)).body).toEqual({ email: person.email, expiresAt });
    const used = await use(token);
    expect(used.status).toBe(200);
    expect(used.body.user.id).toBe(person.id);
    expect(await me(used.body.token)).toBe(200);
    expect(await me(person.token)).toBe(401);
    await live.waitFor("session:expired");
    await live.waitFor("disconnect");
    expect((await login(person.email)).status).toBe(401);
    expect((await login(person.email, "the-new-password")).status).toBe(200);

    const again = await use(token, "yet-another-password");
    expect(again.status).toBe(400);
    expect((await client(t.url).get(`/api/auth/password-resets/${token}`)).status).toBe(400);
    expect((await login(person.email, "the-new-password")).status).toBe(200);
  });

  it("works once when used twice at once", async () => {
    const { org, admin, person } = await scene();
    const { token } = (await linkFor(admin, org.id, person.id)).body.reset;
    const both = await Promise.all([use(token, "password-from-one"), use(token, "password-from-two")]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 400]);
    const winner = both[0]!.status === 200 ? "password-from-one" : "password-from-two";
    expect((await login(person.email, winner)).status).toBe(200);
    expect((await t.deps.db.user.findUniqueOrThrow({ where: { id: person.id } })).sessionVersion).toBe(1);
  });

  it("expires after 24 hours by the server's clock, and a new link replaces the last", async () => {
    const { org, admin, person } = await scene();
    const first = (await linkFor(admin, org.id, person.id)).body.reset.token;
    const second = (await linkFor(admin, org.id, person.id)).body.reset.token;
    expect((await client(t.url).get(`/api/auth/password-resets/${first}`)).status).toBe(400);
    clock.advance(24 * 3600_000 - 1_000);
    expect((await client(t.url).get(`/api/auth/password-resets/${second}`)).status).toBe(200);
    clock.advance(1_000);
    expect((await client(t.url).get(`/api/auth/password-resets/${second}`)).status).toBe(400);
    const late = await use(second);
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe("invalid_request");
    expect((await login(person.email)).status).toBe(200);
  });

  it("is refused for an account that is also in an org where the admin is not an Org Admin, made or used", async () => {
    const { org, admin, person } = await scene();
    const other = await createOrg(t.deps);
    await t.deps.db.orgMember.create({ data: { orgId: other.org.id, userId: person.id, role: "member", joinedAt: null } });
    const refused = await linkFor(admin, org.id, person.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("reset_not_allowed");
    expect(await t.deps.db.passwordReset.count({ where: { userId: person.id } })).toBe(0);

    // An Org Admin of both may.
    await t.deps.db.orgMember.create({ data: { orgId: other.org.id, userId: admin.id, role: "admin" } });
    const made = await linkFor(admin, org.id, person.id);
    expect(made.status).toBe(201);
    // Made while allowed; then the admin steps down in the other org: the link no longer works.
    await t.deps.db.orgMember.update({ where: { orgId_userId: { orgId: other.org.id, userId: admin.id } }, data: { role: "member" } });
    expect((await client(t.url).get(`/api/auth/password-resets/${made.body.reset.token}`)).status).toBe(403);
    const late = await use(made.body.reset.token);
    expect(late.status).toBe(403);
    expect(late.body.error.code).toBe("reset_not_allowed");
    expect((await login(person.email)).status).toBe(200);
    expect(await me(person.token)).toBe(200);
  });

  it("is refused for oneself, for someone still invited, for another org's person, and to an API key", async () => {
    const { org, admin, person } = await scene();
    const self = await linkFor(admin, org.id, admin.id);
    expect([self.status, self.body.error.code]).toEqual([403, "reset_not_allowed"]);
    const invited = await client(t.url, admin.token).post(`/api/orgs/${org.id}/people`, { email: `new-${person.id.slice(0, 8)}@test.local` });
    const pending = await linkFor(admin, org.id, invited.body.user.id);
    expect([pending.status, pending.body.error.code]).toEqual([409, "person_invited"]);
    const stranger = await createUser(t.deps);
    expect((await linkFor(admin, org.id, stranger.id)).status).toBe(404);
    const key = (await client(t.url, admin.token).post(`/api/orgs/${org.id}/api-keys`, { name: "ci" })).body.key as string;
    expect((await client(t.url, key).post(`/api/orgs/${org.id}/people/${person.id}/password-reset`)).status).toBe(403);
    expect(await t.deps.db.passwordReset.count({ where: { orgId: org.id } })).toBe(0);
  });

  it("and an invitation are not interchangeable", async () => {
    const { org, admin, person } = await scene();
    const reset = (await linkFor(admin, org.id, person.id)).body.reset.token as string;
    const invite = (await client(t.url, admin.token).post(`/api/orgs/${org.id}/people`, { email: `inv-${person.id.slice(0, 8)}@test.local` })).body.invitation.token as string;
    expect((await client(t.url).get(`/api/auth/password-resets/${invite}`)).status).toBe(400);
    expect((await use(invite)).status).toBe(400);
    expect((await client(t.url).get(`/api/auth/invitations/${reset}`)).status).toBe(400);
    expect((await client(t.url).post("/api/auth/accept-invite", { token: reset, password: "the-new-password" })).status).toBe(400);
    expect((await login(person.email)).status).toBe(200);
  });

  it("leaves audit entries with no token or password", async () => {
    const { org, admin, person } = await scene();
    const { token } = (await linkFor(admin, org.id, person.id)).body.reset;
    expect((await use(token)).status).toBe(200);
    const entries = await t.deps.db.auditEntry.findMany({ where: { orgId: org.id, resourceId: person.id }, orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => [e.action, e.actorUserId])).toEqual([
      ["account.reset_link", admin.id],
      ["account.password_reset", person.id],
    ]);
    const text = JSON.stringify(entries);
    for (const secret of [token, "the-new-password", "argon2"]) expect(text).not.toContain(secret);
  });
});

describe("the operator's reset (npm run user:reset-password)", () => {
  it("sets a generated password, ends every session (sockets at the resync) and audits in each org", async () => {
    const { org, person } = await scene();
    const live = await connect(t.url, person.token);
    const done = await operatorResetPassword(t.deps.db, person.email.toUpperCase());
    expect(done?.generatedPassword).toEqual(expect.any(String));
    // Changed outside the server: it hears of it from PostgreSQL's announcement (its actor cache is on).
    await expect.poll(() => me(person.token), { timeout: 10_000, interval: 20 }).toBe(401);
    expect((await login(person.email, done!.generatedPassword!)).status).toBe(200);
    // No bus in the operator's process: the resync reads the versions.
    await dropEndedSessions(t.deps, t.app.realtime.io, t.app.realtime.feeds.emitter);
    await live.waitFor("session:expired");
    const entry = await t.deps.db.auditEntry.findFirstOrThrow({ where: { orgId: org.id, resourceId: person.id } });
    expect([entry.action, entry.actorUserId, entry.after]).toEqual(["account.password_reset", null, { by: "operator" }]);

    expect((await operatorResetPassword(t.deps.db, person.email, "chosen-by-operator"))?.generatedPassword).toBeNull();
    expect((await login(person.email, "chosen-by-operator")).status).toBe(200);
    expect(await operatorResetPassword(t.deps.db, "nobody@test.local")).toBeNull();
  });
});
