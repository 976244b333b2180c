// The org's library, read through a project by the people who build its forms:
// Owners, Viewers and Org Admins read the org's evaluation criteria and pipeline
// templates there (Org Admins also in the org's settings); Contributors do not,
// and another org's people find no such project.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { client, type Res } from "../helpers/http";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
});
afterAll(() => t.close());

const criteria = [
  { key: "accuracy", label: "Accuracy", kind: "rating", required: true, min: 1, max: 5, description: "How right it is" },
  { key: "helpful", label: "Helpful?", kind: "boolean" },
  { key: "tone", label: "Tone", kind: "choice", options: ["formal", "casual"] },
  { key: "notes", label: "Notes", kind: "text" },
];

async function withLibrary() {
  const w = await createWorld(t.deps);
  const admin = client(t.url, w.admin.token);
  for (const c of criteria) {
    const res = await admin.post(`/api/orgs/${w.org.id}/evaluation-criteria`, c);
    expect(res.status, res.text).toBe(201);
  }
  // Another org's library is never part of this one.
  const theirs = await client(t.url, w.other.admin.token).post(`/api/orgs/${w.other.org.id}/evaluation-criteria`, { key: "secret_sauce", label: "Theirs", kind: "text" });
  expect(theirs.status).toBe(201);
  return w;
}

describe("GET /api/projects/:projectId/evaluation-criteria", () => {
  it("gives Owners, Viewers and Org Admins the org's criteria with what a form needs, in the order they were made", async () => {
    const w = await withLibrary();
    for (const who of [w.owner, w.viewer, w.admin]) {
      const res = await client(t.url, who.token).get(`/api/projects/${w.project.id}/evaluation-criteria`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items).toEqual([
        { id: expect.any(String), key: "accuracy", label: "Accuracy", kind: "rating", required: true, min: 1, max: 5, options: null, description: "How right it is" },
        { id: expect.any(String), key: "helpful", label: "Helpful?", kind: "boolean", required: false, min: null, max: null, options: null, description: null },
        { id: expect.any(String), key: "tone", label: "Tone", kind: "choice", required: false, min: null, max: null, options: ["formal", "casual"], description: null },
        { id: expect.any(String), key: "notes", label: "Notes", kind: "text", required: false, min: null, max: null, options: null, description: null },
      ]);
    }
    // The org's own list stays Org Admins' (it is where the library is managed).
    expect((await client(t.url, w.owner.token).get(`/api/orgs/${w.org.id}/evaluation-criteria`)).status).toBe(403);
  });

  it("refuses Contributors (403) and people of another org (404)", async () => {
    const w = await withLibrary();
    const path = `/api/projects/${w.project.id}/evaluation-criteria`;
    const contributor = await client(t.url, w.contributor.token).get(path);
    expect([contributor.status, contributor.body.error.code]).toEqual([403, "forbidden"]);
    const outsider = await client(t.url, w.other.admin.token).get(path);
    expect([outsider.status, outsider.body.error.code]).toEqual([404, "not_found"]);
    // An org member with no role on the project is refused like a Contributor.
    expect((await client(t.url, w.member.token).get(path)).status).toBe(403);
  });

  it("pages by keyset: every criterion once, then a bad cursor is a 400", async () => {
    const w = await withLibrary();
    const owner = client(t.url, w.owner.token);
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const r: Res = await owner.get(`/api/projects/${w.project.id}/evaluation-criteria?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status, r.text).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...r.body.items.map((i: { key: string }) => i.key));
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual(criteria.map((c) => c.key));
    const bad = await owner.get(`/api/projects/${w.project.id}/evaluation-criteria?cursor=garbage`);
    expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_request"]);
    expect((await owner.get(`/api/projects/${w.project.id}/evaluation-criteria?limit=0`)).status).toBe(400);
  });
});

describe("GET /api/projects/:projectId/templates", () => {
  it("is read by Viewers too; instantiating stays the writers'", async () => {
    const w = await createWorld(t.deps);
    const nodes = [
      { key: "evaluate", kind: "task", name: "Evaluate", form: { criteria: [{ key: "ok", label: "OK?", kind: "boolean", required: true }] } },
      { key: "done", kind: "end", name: "Done" },
    ];
    const tpl = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/templates`, { name: "Plain", nodes });
    expect(tpl.status, tpl.text).toBe(201);
    const viewer = client(t.url, w.viewer.token);
    const list = await viewer.get(`/api/projects/${w.project.id}/templates`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([tpl.body.id]);
    expect((await viewer.post(`/api/projects/${w.project.id}/pipelines/from-template/${tpl.body.id}`, {})).status).toBe(403);
    expect((await client(t.url, w.contributor.token).get(`/api/projects/${w.project.id}/templates`)).status).toBe(403);
    expect((await client(t.url, w.other.admin.token).get(`/api/projects/${w.project.id}/templates`)).status).toBe(404);
  });
});
