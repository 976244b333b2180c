// API keys: shown once, listed by prefix, usable as a bearer token with the
// rights of the Org Admin who made them (limited to the key's org), revoked at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../server/src/auth/api-keys";
import { ManualClock } from "../../server/src/infra/clock";
import { startTestApp, type TestApp } from "../helpers/app";
import { addOrgMember, createWorld } from "../helpers/factories";
import { client } from "../helpers/http";

const clock = new ManualClock("2026-11-23T10:00:00Z");
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

describe("API keys", () => {
  it("creates a key shown once; lists prefix, name, created, last used; stores only a hash", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const created = await admin.post(`/api/orgs/${w.org.id}/api-keys`, { name: "ci" });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key.startsWith(`${created.body.prefix}_`)).toBe(true);
    expect(created.body).toMatchObject({ name: "ci", lastUsedAt: null, revokedAt: null, createdById: w.admin.id });

    const row = await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.hash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key);

    const list = await admin.get(`/api/orgs/${w.org.id}/api-keys`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toEqual({ ...created.body, key: undefined });
    expect(list.text).not.toContain(key);
    expect((await admin.get(`/api/orgs/${w.org.id}/api-keys/${created.body.id}`)).text).not.toContain(key);

    // Using the key records when it was last used.
    expect((await client(t.url, key).get(`/api/orgs/${w.org.id}`)).status).toBe(200);
    const used = await admin.get(`/api/orgs/${w.org.id}/api-keys/${created.body.id}`);
    expect(used.body.lastUsedAt).toBe(clock.now().toISOString());
  });

  it("acts with its maker's Org Admin rights, only in its own org", async () => {
    const w = await createWorld(t.deps);
    // The maker is also an admin of a second org: the key still reaches only the first.
    await t.deps.db.orgMember.create({ data: { orgId: w.other.org.id, userId: w.admin.id, role: "admin" } });
    const created = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/api-keys`, { name: "script" });
    const viaKey = client(t.url, created.body.key);
    expect((await viaKey.post(`/api/orgs/${w.org.id}/projects`, { name: "Made by a script" })).status).toBe(201);
    expect((await viaKey.get(`/api/projects/${w.project.id}/agents`)).status).toBe(200);
    expect((await viaKey.post(`/api/orgs/${w.org.id}/models`, { name: "M", provider: "p", modelId: "m" })).status).toBe(201);
    expect((await viaKey.get(`/api/orgs/${w.other.org.id}`)).status).toBe(404);
    expect((await viaKey.get(`/api/projects/${w.otherProject.id}`)).status).toBe(404);

    // The audit log names the key as well as the person.
    const audit = await t.deps.db.auditEntry.findFirstOrThrow({ where: { orgId: w.org.id, action: "project.create" } });
    expect(audit).toMatchObject({ actorUserId: w.admin.id, actorKeyId: created.body.id });
  });

  it("cannot make keys or grant rights, so revoking a leaked key contains it", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const created = await admin.post(`/api/orgs/${w.org.id}/api-keys`, { name: "leaked" });
    const viaKey = client(t.url, created.body.key);
    const keysBefore = await t.deps.db.apiKey.count({ where: { orgId: w.org.id } });
    const refused = [
      await viaKey.post(`/api/orgs/${w.org.id}/api-keys`, { name: "child" }),
      await viaKey.patch(`/api/orgs/${w.org.id}/api-keys/${created.body.id}`, { name: "renamed" }),
      await viaKey.delete(`/api/orgs/${w.org.id}/api-keys/${created.body.id}`),
      await viaKey.post(`/api/orgs/${w.org.id}/people`, { email: "new-admin@example.test", orgRole: "admin" }),
      await viaKey.patch(`/api/orgs/${w.org.id}/people/${w.member.id}`, { orgRole: "admin" }),
    ];
    expect(refused.map((r) => `${r.status} ${r.body.error?.code}`)).toEqual(Array(5).fill("403 forbidden"));
    expect(await t.deps.db.apiKey.count({ where: { orgId: w.org.id } })).toBe(keysBefore);
    expect(await t.deps.db.user.count({ where: { email: "new-admin@example.test" } })).toBe(0);
    expect((await t.deps.db.orgMember.findUniqueOrThrow({ where: { orgId_userId: { orgId: w.org.id, userId: w.member.id } } })).role).toBe("member");
    // Reading stays open to the key, and its maker still manages it.
    expect((await viaKey.get(`/api/orgs/${w.org.id}/api-keys`)).status).toBe(200);
    expect((await admin.delete(`/api/orgs/${w.org.id}/api-keys/${created.body.id}`)).status).toBe(204);
  });

  it("follows the maker's current rights: demoted, the key can no longer manage", async () => {
    const w = await createWorld(t.deps);
    const maker = await addOrgMember(t.deps, w.org.id, "admin");
    const created = await client(t.url, maker.token).post(`/api/orgs/${w.org.id}/api-keys`, { name: "k" });
    const viaKey = client(t.url, created.body.key);
    expect((await viaKey.get(`/api/orgs/${w.org.id}/people`)).status).toBe(200);
    await t.deps.db.orgMember.update({ where: { orgId_userId: { orgId: w.org.id, userId: maker.id } }, data: { role: "member" } });
    expect((await viaKey.get(`/api/orgs/${w.org.id}/people`)).status).toBe(403);
  });

  it("a revoked key answers 401 at once; revoking is audited once", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const created = await admin.post(`/api/orgs/${w.org.id}/api-keys`, { name: "short-lived" });
    const viaKey = client(t.url, created.body.key);
    expect((await viaKey.get(`/api/orgs/${w.org.id}`)).status).toBe(200);
    expect((await admin.delete(`/api/orgs/${w.org.id}/api-keys/${created.body.id}`)).status).toBe(204);
    const refused = await viaKey.get(`/api/orgs/${w.org.id}`);
    expect([refused.status, refused.body.error.code]).toEqual([401, "unauthenticated"]);
    expect((await admin.delete(`/api/orgs/${w.org.id}/api-keys/${created.body.id}`)).status).toBe(204);
    const shown = await admin.get(`/api/orgs/${w.org.id}/api-keys/${created.body.id}`);
    expect(shown.body.revokedAt).toBe(clock.now().toISOString());
    expect(await t.deps.db.auditEntry.count({ where: { resourceId: created.body.id, action: "api_key.revoke" } })).toBe(1);
    // Filters: only live keys, only revoked ones.
    await admin.post(`/api/orgs/${w.org.id}/api-keys`, { name: "live" });
    const live = await admin.get(`/api/orgs/${w.org.id}/api-keys?revoked=false`);
    expect(live.body.items.map((k: { name: string }) => k.name)).toEqual(["live"]);
    const revoked = await admin.get(`/api/orgs/${w.org.id}/api-keys?revoked=true`);
    expect(revoked.body.items.map((k: { name: string }) => k.name)).toEqual(["short-lived"]);
  });

  it("reads and marks only its own org's notifications of its maker", async () => {
    const w = await createWorld(t.deps);
    await t.deps.db.orgMember.create({ data: { orgId: w.other.org.id, userId: w.admin.id, role: "member" } });
    const note = (orgId: string, title: string) =>
      t.deps.db.notification.create({ data: { userId: w.admin.id, orgId, type: "review_ready", title, body: title, link: "/" } });
    const ours = await note(w.org.id, "ours");
    const theirs = await note(w.other.org.id, "another org's");
    const created = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/api-keys`, { name: "bot" });
    const viaKey = client(t.url, created.body.key);

    const inbox = await viaKey.get("/api/me/notifications");
    expect(inbox.body.items.map((n: { id: string }) => n.id)).toEqual([ours.id]);
    expect(inbox.body.unreadCount).toBe(1);
    expect((await viaKey.post(`/api/me/notifications/${theirs.id}/read`, {})).status).toBe(404);
    expect((await viaKey.post("/api/me/notifications/read-all", {})).body).toEqual({ updated: 1, unreadCount: 0, countedUpTo: ours.createdAt.toISOString() });
    expect((await t.deps.db.notification.findUniqueOrThrow({ where: { id: theirs.id } })).readAt).toBeNull();
    // Signed in, the maker still sees both.
    const own = await client(t.url, w.admin.token).get("/api/me/notifications");
    expect(own.body.items.map((n: { id: string }) => n.id).sort()).toEqual([ours.id, theirs.id].sort());
    expect(own.body.unreadCount).toBe(1);
  });

  it("renames; another org's key is not found", async () => {
    const w = await createWorld(t.deps);
    const created = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/api-keys`, { name: "a" });
    const renamed = await client(t.url, w.admin.token).patch(`/api/orgs/${w.org.id}/api-keys/${created.body.id}`, { name: "b" });
    expect(renamed.body.name).toBe("b");
    const outsider = client(t.url, w.other.admin.token);
    expect((await outsider.delete(`/api/orgs/${w.other.org.id}/api-keys/${created.body.id}`)).status).toBe(404);
    expect((await client(t.url, created.body.key).get(`/api/orgs/${w.org.id}`)).status).toBe(200);
  });
});
