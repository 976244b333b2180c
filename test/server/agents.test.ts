// Agents under test: configure, edit, activate, pause, archive; who may.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { client } from "../helpers/http";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("agents", () => {
  it("an Owner configures, edits and moves an agent through its states", async () => {
    const w = await createWorld(t.deps);
    const owner = client(t.url, w.owner.token);
    const base = `/api/projects/${w.project.id}/agents`;
    const a = await owner.post(base, { name: "Summarizer", description: "v1", config: { model: "gpt-x", temperature: 0.2 } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ name: "Summarizer", status: "active", config: { model: "gpt-x", temperature: 0.2 }, runs: 0 });

    const edited = await owner.patch(`${base}/${a.body.id}`, { description: "v2", config: { model: "gpt-y" } });
    expect(edited.body).toMatchObject({ description: "v2", config: { model: "gpt-y" } });
    for (const status of ["paused", "archived", "active"] as const) {
      const r = await owner.patch(`${base}/${a.body.id}`, { status });
      expect(r.body.status).toBe(status);
    }
    const actions = await t.deps.db.auditEntry.findMany({ where: { resourceId: a.body.id }, orderBy: { createdAt: "asc" } });
    expect(actions.map((e) => e.action)).toEqual(["agent.create", "agent.update", "agent.pause", "agent.archive", "agent.activate"]);

    expect((await owner.get(`${base}/${a.body.id}`)).body.status).toBe("active");
    await owner.post(base, { name: "Second", status: "paused" });
    const paused = await owner.get(`${base}?status=paused`);
    expect(paused.body.items.map((x: { name: string }) => x.name)).toEqual(["Second"]);
    const all = await owner.get(`${base}?limit=1`);
    expect(all.body.items.map((x: { name: string }) => x.name)).toEqual(["Summarizer"]);
    const next = await owner.get(`${base}?limit=1&cursor=${all.body.nextCursor}`);
    expect(next.body.items.map((x: { name: string }) => x.name)).toEqual(["Second"]);
    expect(next.body.nextCursor).toBeNull();
  });

  it("Viewers read, never write; contributors and other orgs see nothing", async () => {
    const w = await createWorld(t.deps);
    const a = await client(t.url, w.admin.token).post(`/api/projects/${w.project.id}/agents`, { name: "Bot" });
    const one = `/api/projects/${w.project.id}/agents/${a.body.id}`;
    const viewer = client(t.url, w.viewer.token);
    expect((await viewer.get(one)).status).toBe(200);
    expect((await viewer.patch(one, { status: "paused" })).status).toBe(403);
    expect((await viewer.post(`/api/projects/${w.project.id}/agents`, { name: "X" })).status).toBe(403);
    expect((await client(t.url, w.contributor.token).get(one)).status).toBe(403);
    expect((await client(t.url, w.other.admin.token).get(one)).status).toBe(404);
    // An agent id under another project of the same org: not found there.
    expect((await client(t.url, w.admin.token).get(`/api/projects/${w.otherProject.id}/agents/${a.body.id}`)).status).toBe(404);
    expect((await t.deps.db.agent.findUniqueOrThrow({ where: { id: a.body.id } })).status).toBe("active");
  });

  it("refuses unknown fields and statuses", async () => {
    const w = await createWorld(t.deps);
    const owner = client(t.url, w.owner.token);
    expect((await owner.post(`/api/projects/${w.project.id}/agents`, { name: "A", secret: 1 })).status).toBe(400);
    expect((await owner.post(`/api/projects/${w.project.id}/agents`, { name: "A", status: "running" })).status).toBe(400);
  });
});
