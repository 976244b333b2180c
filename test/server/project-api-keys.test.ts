// Project API keys: made by a project's Owners (or Org Admins) for one project and
// a fixed set of permissions; they act only there and only for those permissions.
// Everything else answers 403, and another project (of any org) 404, as if it did not exist.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../server/src/auth/api-keys";
import { ManualClock } from "../../server/src/infra/clock";
import { insertPipeline } from "../../server/src/modules/pipelines/service";
import { rooms } from "../../server/src/shared/socket-events";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createProject, createWorld } from "../helpers/factories";
import { client } from "../helpers/http";
import { connect, refused } from "../helpers/socket";

const clock = new ManualClock("2026-12-01T10:00:00Z");
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock, workers: true, realtime: { resyncMs: 200 } });
});
afterAll(() => t.close());

const nodes = [
  { key: "evaluate", kind: "task" as const, name: "Evaluate", form: { criteria: [{ key: "ok", label: "OK?", kind: "boolean" as const, required: true }] } },
  { key: "end", kind: "end" as const, name: "End" },
];

/** A world whose project has a pipeline and an agent, and a second project in the same org. */
async function setup() {
  const w = await createWorld(t.deps);
  const pipeline = await insertPipeline(t.deps.db, w.project.id, { name: "Runs", nodes });
  const agent = await t.deps.db.agent.create({ data: { projectId: w.project.id, name: "Agent" } });
  const sibling = await createProject(t.deps, w.org.id);
  return { ...w, pipeline, agent, sibling };
}
type Setup = Awaited<ReturnType<typeof setup>>;

async function makeKey(w: Setup, token: string, permissions: string[], projectId = w.project.id) {
  const r = await client(t.url, token).post(`/api/projects/${projectId}/api-keys`, { name: "agent", permissions });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; key: string; scope: string; projectId: string; permissions: string[] };
}

const run = (w: Setup, token: string) =>
  client(t.url, token).post(`/api/agents/${w.agent.id}/runs`, { input: { q: 1 }, output: { a: 2 }, pipelineId: w.pipeline.id });

describe("project API keys", () => {
  it("a runs-only key ingests runs and imports tasks into its project and does nothing else", async () => {
    const w = await setup();
    const k = await makeKey(w, w.owner.token, ["runs:write"]);
    expect(k).toMatchObject({ scope: "project", projectId: w.project.id, permissions: ["runs:write"] });
    const viaKey = client(t.url, k.key);

    expect((await run(w, k.key)).status).toBe(201);
    expect((await viaKey.post(`/api/pipelines/${w.pipeline.id}/tasks`, { tasks: [{ payload: { n: 1 } }] })).status).toBe(201);
    expect((await viaKey.get(`/api/projects/${w.project.id}`)).status).toBe(200);

    const status = async (r: Promise<{ status: number; body: any }>) => {
      const res = await r;
      return `${res.status} ${res.body?.error?.code ?? ""}`.trim();
    };
    const refused403 = {
      createProject: await status(viaKey.post(`/api/orgs/${w.org.id}/projects`, { name: "Made by an agent" })),
      deleteProject: await status(viaKey.delete(`/api/projects/${w.project.id}`)),
      people: await status(viaKey.get(`/api/orgs/${w.org.id}/people`)),
      credentials: await status(viaKey.get(`/api/orgs/${w.org.id}/credentials`)),
      org: await status(viaKey.get(`/api/orgs/${w.org.id}`)),
      orgProjects: await status(viaKey.get(`/api/orgs/${w.org.id}/projects`)),
      readTasks: await status(viaKey.get(`/api/projects/${w.project.id}/tasks`)),
      export: await status(viaKey.get(`/api/projects/${w.project.id}/export?format=jsonl`)),
      rename: await status(viaKey.patch(`/api/projects/${w.project.id}`, { name: "renamed" })),
      newAgent: await status(viaKey.post(`/api/projects/${w.project.id}/agents`, { name: "Another" })),
      team: await status(viaKey.post(`/api/projects/${w.project.id}/members`, { userId: w.member.id, role: "owner" })),
      keys: await status(viaKey.post(`/api/projects/${w.project.id}/api-keys`, { name: "child", permissions: ["read"] })),
      me: await status(viaKey.get("/api/me")),
      inbox: await status(viaKey.get("/api/me/notifications")),
      submissions: await status(viaKey.get("/api/me/submissions")),
      queue: await status(viaKey.get(`/api/projects/${w.project.id}/queue`)),
    };
    expect(refused403).toEqual(Object.fromEntries(Object.keys(refused403).map((k) => [k, "403 forbidden"])));
    // Another project of its org, and another org's, do not exist for it.
    expect((await viaKey.get(`/api/projects/${w.sibling.id}`)).status).toBe(404);
    expect((await viaKey.get(`/api/projects/${w.otherProject.id}`)).status).toBe(404);
    expect((await viaKey.get(`/api/orgs/${w.other.org.id}`)).status).toBe(404);

    expect(await t.deps.db.project.findUnique({ where: { id: w.project.id } })).not.toBeNull();
    expect(await t.deps.db.project.count({ where: { orgId: w.org.id } })).toBe(2);
    expect((await t.deps.db.project.findUniqueOrThrow({ where: { id: w.project.id } })).name).toBe(w.project.name);
    expect(await t.deps.db.apiKey.count({ where: { projectId: w.project.id } })).toBe(1);
    // What it did is audited with the key's id.
    const audit = await t.deps.db.auditEntry.findFirst({ where: { orgId: w.org.id, actorKeyId: k.id } });
    expect(audit).not.toBeNull();
  });

  it("a read key reads its project's tasks, runs, export and dashboard, and writes nothing", async () => {
    const w = await setup();
    expect((await run(w, w.owner.token)).status).toBe(201);
    const k = await makeKey(w, w.owner.token, ["read"]);
    const viaKey = client(t.url, k.key);
    for (const path of ["tasks", "runs", "export?format=csv", "dashboard", "pipelines", "agents", "explorer"])
      expect((await viaKey.get(`/api/projects/${w.project.id}/${path}`)).status, path).toBe(200);
    expect((await viaKey.get(`/api/projects/${w.project.id}/runs`)).body.items).toHaveLength(1);
    expect((await run(w, k.key)).status).toBe(403);
    expect((await viaKey.post(`/api/pipelines/${w.pipeline.id}/tasks`, { tasks: [{ payload: { n: 1 } }] })).status).toBe(403);
    expect((await viaKey.patch(`/api/pipelines/${w.pipeline.id}`, { description: "x" })).status).toBe(403);
    expect((await viaKey.get(`/api/projects/${w.sibling.id}/tasks`)).status).toBe(404);
    expect((await viaKey.get(`/api/orgs/${w.org.id}/dashboard`)).status).toBe(403);
    // Both permissions together.
    const both = await makeKey(w, w.admin.token, ["read", "runs:write", "read"]);
    expect(both.permissions).toEqual(["read", "runs:write"]);
    expect((await run(w, both.key)).status).toBe(201);
    expect((await client(t.url, both.key).get(`/api/projects/${w.project.id}/runs`)).body.items).toHaveLength(2);
  });

  it("Owners create, list and revoke their project's keys: shown once, stored hashed, last use recorded, audited", async () => {
    const w = await setup();
    const owner = client(t.url, w.owner.token);
    const base = `/api/projects/${w.project.id}/api-keys`;
    const created = await owner.post(base, { name: "ingest", permissions: ["runs:write"] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "ingest", scope: "project", projectId: w.project.id, createdById: w.owner.id, lastUsedAt: null, revokedAt: null });
    const key = created.body.key as string;
    const row = await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row).toMatchObject({ orgId: w.org.id, scope: "project", projectId: w.project.id, hash: hashApiKey(key) });
    expect(JSON.stringify(row)).not.toContain(key);
    // An org key and another project's key are not this project's.
    const orgKey = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/api-keys`, { name: "org" });
    const siblingKey = await client(t.url, w.admin.token).post(`/api/projects/${w.sibling.id}/api-keys`, { name: "s", permissions: ["read"] });

    expect((await run(w, key)).status).toBe(201);
    const list = await owner.get(base);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([{ ...created.body, key: undefined, lastUsedAt: clock.now().toISOString() }]);
    expect(list.text).not.toContain(key);
    // The org's list shows every key with its scope.
    const orgList = await client(t.url, w.admin.token).get(`/api/orgs/${w.org.id}/api-keys`);
    const scopes = Object.fromEntries(orgList.body.items.map((k: { id: string; scope: string; projectId: string | null; permissions: string[] | null }) => [k.id, [k.scope, k.projectId, k.permissions]]));
    expect(scopes).toEqual({
      [created.body.id]: ["project", w.project.id, ["runs:write"]],
      [orgKey.body.id]: ["org", null, null],
      [siblingKey.body.id]: ["project", w.sibling.id, ["read"]],
    });

    expect((await owner.delete(`${base}/${orgKey.body.id}`)).status).toBe(404);
    expect((await owner.delete(`${base}/${siblingKey.body.id}`)).status).toBe(404);
    expect((await owner.delete(`${base}/${created.body.id}`)).status).toBe(204);
    expect((await owner.delete(`${base}/${created.body.id}`)).status).toBe(204);
    const after = await run(w, key);
    expect([after.status, after.body.error.code]).toEqual([401, "unauthenticated"]);
    expect((await owner.get(`${base}?revoked=true`)).body.items.map((k: { id: string }) => k.id)).toEqual([created.body.id]);
    expect((await owner.get(`${base}?revoked=false`)).body.items).toEqual([]);

    const entries = await t.deps.db.auditEntry.findMany({ where: { resourceId: created.body.id }, orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => [e.action, e.actorUserId, e.orgId])).toEqual([
      ["api_key.create", w.owner.id, w.org.id],
      ["api_key.revoke", w.owner.id, w.org.id],
    ]);
    expect(entries[0]!.after).toMatchObject({ name: "ingest", scope: "project", projectId: w.project.id, permissions: ["runs:write"] });
    expect(JSON.stringify(entries)).not.toContain(key);
  });

  it("Viewers and Contributors are refused (403), another org's admin does not find the project (404), keys make no keys", async () => {
    const w = await setup();
    const k = await makeKey(w, w.admin.token, ["read"]);
    const base = `/api/projects/${w.project.id}/api-keys`;
    const body = { name: "x", permissions: ["read"] };
    const orgKey = (await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/api-keys`, { name: "org" })).body.key as string;
    const codes: Record<string, number[]> = {};
    for (const [who, token] of Object.entries({ viewer: w.viewer.token, contributor: w.contributor.token, member: w.member.token, outsider: w.other.admin.token, orgKey, projectKey: k.key })) {
      const c = client(t.url, token);
      codes[who] = [(await c.get(base)).status, (await c.post(base, body)).status, (await c.delete(`${base}/${k.id}`)).status];
    }
    expect(codes).toEqual({
      viewer: [403, 403, 403],
      contributor: [403, 403, 403],
      member: [403, 403, 403],
      outsider: [404, 404, 404],
      // An org key reads the list like its maker, but no key makes or revokes keys.
      orgKey: [200, 403, 403],
      projectKey: [403, 403, 403],
    });
    expect(await t.deps.db.apiKey.count({ where: { projectId: w.project.id } })).toBe(1);
    expect((await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: k.id } })).revokedAt).toBeNull();
    // The Org Admin revokes a project key from the org's page too.
    expect((await client(t.url, w.admin.token).delete(`/api/orgs/${w.org.id}/api-keys/${k.id}`)).status).toBe(204);
    expect((await client(t.url, k.key).get(`/api/projects/${w.project.id}`)).status).toBe(401);
  });

  it("refuses bad bodies with 400 and writes nothing", async () => {
    const w = await setup();
    const owner = client(t.url, w.owner.token);
    const base = `/api/projects/${w.project.id}/api-keys`;
    for (const body of [
      { name: "x", permissions: [] },
      { name: "x", permissions: ["admin"] },
      { name: "x" },
      { name: "", permissions: ["read"] },
      { name: "x", permissions: ["read"], scope: "org" },
    ]) {
      const r = await owner.post(base, body);
      expect([r.status, r.body.error.code], JSON.stringify(body)).toEqual([400, "invalid_request"]);
    }
    expect(await t.deps.db.apiKey.count({ where: { orgId: w.org.id } })).toBe(0);
  });

  it("a key stops working when its maker leaves the project; it follows the maker's current rights until then", async () => {
    const w = await setup();
    const maker = await addProjectMember(t.deps, w.project, "owner");
    const k = await makeKey(w, maker.token, ["runs:write", "read"]);
    expect((await run(w, k.key)).status).toBe(201);
    // Demoted to Viewer: reading goes on, writing is refused.
    const where = { projectId_userId: { projectId: w.project.id, userId: maker.id } };
    await t.deps.db.projectMember.update({ where, data: { role: "viewer" } });
    expect((await run(w, k.key)).status).toBe(403);
    expect((await client(t.url, k.key).get(`/api/projects/${w.project.id}/runs`)).status).toBe(200);
    // Removed from the project (through the API, as an Owner would): the key answers 401.
    expect((await client(t.url, w.owner.token).delete(`/api/projects/${w.project.id}/members/${maker.id}`)).status).toBe(204);
    const gone = await client(t.url, k.key).get(`/api/projects/${w.project.id}`);
    expect([gone.status, gone.body.error.code]).toEqual([401, "unauthenticated"]);
    // An Org Admin's key needs no project role; deleting the project deletes its keys.
    const adminKey = await makeKey(w, w.admin.token, ["read"]);
    expect((await client(t.url, adminKey.key).get(`/api/projects/${w.project.id}/tasks`)).status).toBe(200);
    expect((await client(t.url, w.admin.token).delete(`/api/projects/${w.project.id}`)).status).toBe(204);
    expect(await t.deps.db.apiKey.count({ where: { id: { in: [k.id, adminKey.id] } } })).toBe(0);
    expect((await client(t.url, adminKey.key).get(`/api/projects/${w.project.id}`)).status).toBe(401);
  });

  it("a key's socket watches only its project's rooms its permissions allow, and hears no personal events", async () => {
    const w = await setup();
    const reader = await makeKey(w, w.owner.token, ["read"]);
    const runner = await makeKey(w, w.owner.token, ["runs:write"]);
    const c = await connect(t.url, reader.key);
    expect(await c.subscribe(rooms.projectDashboard(w.project.id))).toEqual({ ok: true });
    expect(await c.subscribe(rooms.queue(w.project.id))).toEqual({ ok: true });
    expect(await c.subscribe(rooms.projectDashboard(w.sibling.id))).toMatchObject({ error: { code: "not_found" } });
    expect(await c.subscribe(rooms.queue(w.otherProject.id))).toMatchObject({ error: { code: "not_found" } });
    expect(await c.subscribe(rooms.orgDashboard(w.org.id))).toMatchObject({ error: { code: "forbidden" } });
    const r = await connect(t.url, runner.key);
    expect(await r.subscribe(rooms.projectDashboard(w.project.id))).toMatchObject({ error: { code: "forbidden" } });
    expect(await r.subscribe(rooms.queue(w.project.id))).toMatchObject({ error: { code: "forbidden" } });
    // A key is no person: its sockets sit in no personal room, so the maker's notifications never reach them.
    const keySockets = [...t.app.realtime.io.of("/").sockets.values()].filter((s) => [reader.id, runner.id].includes(s.data.actor.apiKey?.id ?? ""));
    expect(keySockets).toHaveLength(2);
    for (const s of keySockets) expect([...s.rooms].filter((room) => room.startsWith("user:"))).toEqual([]);
    // The maker leaves the project: the key's sockets are closed (at the next resync) and it can connect no more.
    await t.deps.db.projectMember.delete({ where: { projectId_userId: { projectId: w.project.id, userId: w.owner.id } } });
    expect(await c.waitFor("disconnect")).toBe("io server disconnect");
    expect(await r.waitFor("disconnect")).toBe("io server disconnect");
    expect((await refused(t.url, reader.key)).data).toMatchObject({ code: "unauthenticated" });
  });
});
