// Every list takes ?limit=&cursor= (API.md): the team, the contributor types and
// the pipelines page too, in their documented order, with no row twice or missed,
// even where names repeat (the team's order is name, then id).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createContributorType, createWorld } from "../helpers/factories";
import { client, type Res } from "../helpers/http";
import { evaluateForm } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** Every page of a list at `limit` per page, and how many pages it took. */
async function walk(token: string, path: string, limit: number) {
  const c = client(t.url, token);
  const items: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r: Res = await c.get(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

describe("lists of a project, paged", () => {
  it("pages the team by name then id, the types by name, the pipelines oldest first", async () => {
    const w = await createWorld(t.deps);
    for (const name of ["Sam", "Sam", "Sam", "Ana", "Zoe"]) await addProjectMember(t.deps, w.project, "contributor", null, name);
    for (const name of ["QA", "Safety", "Experts"]) await createContributorType(t.deps, w.project.id, { name });
    const owner = client(t.url, w.owner.token);
    const names = ["First", "Second", "Third"];
    for (const name of names)
      expect((await owner.post(`/api/projects/${w.project.id}/pipelines`, { name, nodes: [{ key: "do", kind: "task", name: "Do", form: evaluateForm }, { key: "end", kind: "end", name: "End" }] })).status).toBe(201);

    const all = await walk(w.owner.token, `/api/projects/${w.project.id}/members`, 200);
    const team = await walk(w.owner.token, `/api/projects/${w.project.id}/members`, 2);
    expect(team.pages).toBeGreaterThan(3);
    expect(team.items.map((m) => m.userId)).toEqual(all.items.map((m) => m.userId));
    expect(new Set(team.items.map((m) => m.userId)).size).toBe(8);
    // The three of one name sit together (the pages of 2 cut through them; ids order them).
    const sams = team.items.map((m, i) => [i, m] as const).filter(([, m]) => m.name === "Sam");
    expect(sams.map(([i]) => i)).toEqual([sams[0]![0], sams[0]![0] + 1, sams[0]![0] + 2]);

    const types = await walk(w.owner.token, `/api/projects/${w.project.id}/contributor-types`, 2);
    expect(types.items.map((x) => x.name)).toEqual(["Domain Expert", "Experts", "QA", "Safety"]);
    const pipelines = await walk(w.viewer.token, `/api/projects/${w.project.id}/pipelines`, 1);
    expect(pipelines.items.map((x) => x.name)).toEqual(names);
  });

  it("refuses a cursor that is not one of the list's", async () => {
    const w = await createWorld(t.deps);
    const r = await client(t.url, w.owner.token).get(`/api/projects/${w.project.id}/members?cursor=${Buffer.from("[1,2]").toString("base64url")}`);
    expect([r.status, r.body.error.code]).toEqual([400, "invalid_request"]);
  });
});
