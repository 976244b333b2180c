// The audit log: every admin write, newest first, filterable, paged, Org Admins only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { client } from "../helpers/http";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

type Entry = { action: string; resourceType: string; resourceId: string | null; actor: { userId: string; name: string }; before: any; after: any };

describe("audit log", () => {
  it("records who did what, with before and after, newest first", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const owner = client(t.url, w.owner.token);
    const agent = await owner.post(`/api/projects/${w.project.id}/agents`, { name: "Bot", config: { model: "m" } });
    await owner.patch(`/api/projects/${w.project.id}/agents/${agent.body.id}`, { status: "paused" });
    const prompt = await admin.post(`/api/orgs/${w.org.id}/prompts`, { name: "Judge", text: "v1" });
    await admin.patch(`/api/orgs/${w.org.id}/prompts/${prompt.body.id}`, { text: "v2" });

    const log = await admin.get(`/api/orgs/${w.org.id}/audit-log`);
    expect(log.status).toBe(200);
    const items = log.body.items as Entry[];
    expect(items.map((e) => e.action)).toEqual(["prompt.update", "prompt.create", "agent.pause", "agent.create"]);
    expect(items[0]).toMatchObject({
      resourceType: "prompt",
      resourceId: prompt.body.id,
      actor: { userId: w.admin.id, name: w.admin.name },
      before: { version: 1 },
      after: { version: 2 },
    });
    expect(items[2]).toMatchObject({ actor: { userId: w.owner.id }, before: { status: "active" }, after: { status: "paused" } });
  });

  it("filters by action, resource type and actor; pages with a cursor", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    for (let i = 0; i < 5; i++) await admin.post(`/api/orgs/${w.org.id}/evaluation-criteria`, { key: `k${i}`, label: `K${i}`, kind: "text" });
    await client(t.url, w.owner.token).post(`/api/projects/${w.project.id}/agents`, { name: "Bot" });
    const base = `/api/orgs/${w.org.id}/audit-log`;

    const byType = await admin.get(`${base}?resourceType=evaluation_criterion`);
    expect(byType.body.items).toHaveLength(5);
    expect((await admin.get(`${base}?action=agent.create`)).body.items).toHaveLength(1);
    // A resource's name alone takes every action on it; a part of a word takes nothing.
    expect((await admin.get(`${base}?action=evaluation_criterion`)).body.items).toHaveLength(5);
    expect((await admin.get(`${base}?action=evaluation`)).body.items).toHaveLength(0);
    const byOwner = await admin.get(`${base}?actorUserId=${w.owner.id}`);
    expect(byOwner.body.items.map((e: Entry) => e.action)).toEqual(["agent.create"]);

    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const r: { body: { items: Entry[]; nextCursor: string | null } } = await admin.get(
        `${base}?resourceType=evaluation_criterion&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...r.body.items.map((e) => e.after.criterionKey as string));
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual(["k4", "k3", "k2", "k1", "k0"]);
  });

  it("shows only the org's own entries, to Org Admins only", async () => {
    const w = await createWorld(t.deps);
    await client(t.url, w.other.admin.token).post(`/api/orgs/${w.other.org.id}/prompts`, { name: "Theirs", text: "x" });
    const mine = await client(t.url, w.admin.token).get(`/api/orgs/${w.org.id}/audit-log`);
    expect(mine.body.items).toEqual([]);
    expect((await client(t.url, w.owner.token).get(`/api/orgs/${w.org.id}/audit-log`)).status).toBe(403);
    expect((await client(t.url, w.other.admin.token).get(`/api/orgs/${w.org.id}/audit-log`)).status).toBe(404);
  });
});
