// A key lives no longer than its maker's standing: leaving the project (a project key) or
// the org (every key of theirs there) revokes it in the same transaction, so coming back
// later does not bring it back. A change of role that keeps them there revokes nothing:
// the key follows the maker's current rights.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { startTestApp, type TestApp } from "../helpers/app";
import { addOrgMember, addProjectMember, createWorld } from "../helpers/factories";
import { client } from "../helpers/http";
import { until } from "../helpers/locks";

const clock = new ManualClock("2026-12-02T10:00:00Z");
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock, workers: true });
});
afterAll(() => t.close());

type World = Awaited<ReturnType<typeof createWorld>>;

async function projectKey(w: World, token: string, permissions = ["read"]) {
  const r = await client(t.url, token).post(`/api/projects/${w.project.id}/api-keys`, { name: "agent", permissions });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; key: string };
}

async function orgKey(w: World, token: string) {
  const r = await client(t.url, token).post(`/api/orgs/${w.org.id}/api-keys`, { name: "script" });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; key: string };
}

const statusOf = async (key: string, path: string) => (await client(t.url, key).get(path)).status;
const revokedAt = async (id: string) => (await t.deps.db.apiKey.findUniqueOrThrow({ where: { id } })).revokedAt?.toISOString() ?? null;
const revokeAudits = (id: string) => t.deps.db.auditEntry.findMany({ where: { resourceId: id, action: "api_key.revoke" } });

describe("a key whose maker leaves", () => {
  it("taken off the team: their project key is revoked, and stays dead when they are added back", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const maker = await addProjectMember(t.deps, w.project, "owner");
    const k = await projectKey(w, maker.token);
    const stays = await projectKey(w, w.owner.token); // another Owner's key
    expect(await statusOf(k.key, `/api/projects/${w.project.id}`)).toBe(200);

    expect((await admin.delete(`/api/projects/${w.project.id}/members/${maker.id}`)).status).toBe(204);
    expect(await statusOf(k.key, `/api/projects/${w.project.id}`)).toBe(401);
    expect(await revokedAt(k.id)).toBe(clock.now().toISOString());
    const audits = await revokeAudits(k.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorUserId: w.admin.id, after: { revokedAt: clock.now().toISOString(), reason: "maker_left" } });

    // Back as a Contributor, then as an Owner: the key stays dead.
    expect((await admin.post(`/api/projects/${w.project.id}/members`, { userId: maker.id, role: "contributor" })).status).toBe(201);
    expect(await statusOf(k.key, `/api/projects/${w.project.id}`)).toBe(401);
    expect((await admin.patch(`/api/projects/${w.project.id}/members/${maker.id}`, { role: "owner" })).status).toBe(200);
    expect(await statusOf(k.key, `/api/projects/${w.project.id}/tasks`)).toBe(401);
    // Nobody else's key was touched.
    expect(await revokedAt(stays.id)).toBeNull();
    expect(await statusOf(stays.key, `/api/projects/${w.project.id}/tasks`)).toBe(200);
  });

  it("a change of role that keeps them on the project revokes nothing: the key follows their rights", async () => {
    const w = await createWorld(t.deps);
    const maker = await addProjectMember(t.deps, w.project, "owner");
    const k = await projectKey(w, maker.token);
    expect((await client(t.url, w.admin.token).patch(`/api/projects/${w.project.id}/members/${maker.id}`, { role: "contributor", contributorTypeId: w.type.id })).status).toBe(200);
    // A Contributor may not inspect: refused while they are one, not revoked.
    expect(await statusOf(k.key, `/api/projects/${w.project.id}/tasks`)).toBe(403);
    expect(await statusOf(k.key, `/api/projects/${w.project.id}`)).toBe(200);
    expect((await client(t.url, w.admin.token).patch(`/api/projects/${w.project.id}/members/${maker.id}`, { role: "viewer" })).status).toBe(200);
    expect(await statusOf(k.key, `/api/projects/${w.project.id}/tasks`)).toBe(200);
    expect(await revokedAt(k.id)).toBeNull();
  });

  it("on the People page: dropped from the project, or an Org Admin made a member with no role there, revokes; staying revokes nothing", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const people = `/api/orgs/${w.org.id}/people`;
    const maker = await addProjectMember(t.deps, w.project, "owner");
    const k = await projectKey(w, maker.token);
    // Made a Viewer there: still on the project.
    expect((await admin.patch(`${people}/${maker.id}`, { projects: [{ projectId: w.project.id, role: "viewer" }] })).status).toBe(200);
    expect(await statusOf(k.key, `/api/projects/${w.project.id}/tasks`)).toBe(200);
    // Given no project: revoked, and a new grant does not bring it back.
    expect((await admin.patch(`${people}/${maker.id}`, { projects: [] })).status).toBe(200);
    expect(await revokedAt(k.id)).toBe(clock.now().toISOString());
    expect((await admin.patch(`${people}/${maker.id}`, { projects: [{ projectId: w.project.id, role: "owner" }] })).status).toBe(200);
    expect(await statusOf(k.key, `/api/projects/${w.project.id}`)).toBe(401);

    // An Org Admin's project key needs no project role, until they are no Org Admin.
    const second = await addOrgMember(t.deps, w.org.id, "admin");
    const adminsKey = await projectKey(w, second.token);
    const adminsOrgKey = await orgKey(w, second.token);
    expect((await admin.patch(`${people}/${second.id}`, { orgRole: "member" })).status).toBe(200);
    expect(await revokedAt(adminsKey.id)).toBe(clock.now().toISOString());
    // Their org key follows their rights (a member now), still theirs.
    expect(await revokedAt(adminsOrgKey.id)).toBeNull();
    expect(await statusOf(adminsOrgKey.key, `/api/orgs/${w.org.id}`)).toBe(200);
    expect((await admin.patch(`${people}/${second.id}`, { orgRole: "admin" })).status).toBe(200);
    expect(await statusOf(adminsKey.key, `/api/projects/${w.project.id}`)).toBe(401);
  });

  it("out of the org: every key of theirs there is revoked, and stays dead when they join again", async () => {
    const w = await createWorld(t.deps);
    const maker = await addOrgMember(t.deps, w.org.id, "admin");
    const ofOrg = await orgKey(w, maker.token);
    const ofProject = await projectKey(w, maker.token);
    const others = await orgKey(w, w.admin.token);
    expect((await client(t.url, w.admin.token).delete(`/api/orgs/${w.org.id}/people/${maker.id}`)).status).toBe(204);
    for (const k of [ofOrg, ofProject]) {
      expect(await revokedAt(k.id)).toBe(clock.now().toISOString());
      expect(await revokeAudits(k.id)).toHaveLength(1);
    }
    expect(await revokedAt(others.id)).toBeNull();
    // Invited again and accepted (as the invitation's acceptance leaves it): the keys stay dead.
    await t.deps.db.orgMember.create({ data: { orgId: w.org.id, userId: maker.id, role: "admin", joinedAt: clock.now() } });
    expect(await statusOf(ofOrg.key, `/api/orgs/${w.org.id}`)).toBe(401);
    expect(await statusOf(ofProject.key, `/api/projects/${w.project.id}`)).toBe(401);
  });

  it("a key made while its maker is being taken off the team is refused, not left to come back", async () => {
    const w = await createWorld(t.deps);
    const maker = await addProjectMember(t.deps, w.project, "owner");
    const removal = new pg.Client({ connectionString: inject("databaseUrl") });
    const watcher = new pg.Client({ connectionString: inject("databaseUrl") });
    await Promise.all([removal.connect(), watcher.connect()]);
    try {
      // The removal has deleted their member row and not committed yet.
      await removal.query("BEGIN");
      await removal.query(`DELETE FROM "ProjectMember" WHERE "projectId" = $1 AND "userId" = $2`, [w.project.id, maker.id]);
      const pid: number = (await removal.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const made = client(t.url, maker.token).post(`/api/projects/${w.project.id}/api-keys`, { name: "late", permissions: ["read"] });
      await until(watcher, pid, 1, made);
      await removal.query("COMMIT");
      const r = await made;
      expect([r.status, r.body.error?.code]).toEqual([403, "forbidden"]);
      expect(await t.deps.db.apiKey.count({ where: { projectId: w.project.id, createdById: maker.id } })).toBe(0);
    } finally {
      await removal.end();
      await watcher.end();
    }
  });
});
