// Pipeline templates: saved only when the pipeline engine would accept them,
// instantiated into any project of the org with the project's contributor types.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createContributorType, createWorld } from "../helpers/factories";
import { client, type Res } from "../helpers/http";
import { evaluateForm } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const nodes = [
  { key: "evaluate", kind: "task", name: "Evaluate", leaseSeconds: 600, form: evaluateForm },
  { key: "review", kind: "review", name: "Review", reviews: "evaluate" },
  { key: "done", kind: "end", name: "Done" },
];

async function withTemplate() {
  const w = await createWorld(t.deps);
  const tpl = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/templates`, { name: "Eval + review", description: "std", nodes });
  expect(tpl.status, tpl.text).toBe(201);
  return { w, templateId: tpl.body.id as string };
}

describe("pipeline templates", () => {
  it("refuses a template the pipeline engine would refuse", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const base = `/api/orgs/${w.org.id}/templates`;
    const noEnd = await admin.post(base, { name: "x", nodes: nodes.slice(0, 2) });
    expect([noEnd.status, noEnd.body.error.code]).toEqual([400, "invalid_request"]);
    const reviewsLater = await admin.post(base, { name: "x", nodes: [nodes[1], nodes[0], nodes[2]] });
    expect(reviewsLater.status).toBe(400);
    const withType = await admin.post(base, { name: "x", nodes: [{ ...nodes[0], contributorTypeId: w.type.id }, nodes[2]] });
    expect(withType.status).toBe(400); // types belong to projects: chosen when instantiating
    const ok = await admin.post(base, { name: "x", nodes });
    const broken = await admin.patch(`${base}/${ok.body.id}`, { nodes: [nodes[0]] });
    expect(broken.status).toBe(400);
  });

  it("instantiates into a project with its contributor types; the pipeline works", async () => {
    const { w, templateId } = await withTemplate();
    const reviewers = await createContributorType(t.deps, w.project.id, { name: "Reviewers" });
    const owner = client(t.url, w.owner.token);
    // The project's Owner lists the org's templates through the project (not the org's settings).
    expect((await owner.get(`/api/orgs/${w.org.id}/templates`)).status).toBe(403);
    const offered = await owner.get(`/api/projects/${w.project.id}/templates`);
    expect(offered.status).toBe(200);
    expect(offered.body.items.map((i: { id: string }) => i.id)).toEqual([templateId]);
    const res = await owner.post(`/api/projects/${w.project.id}/pipelines/from-template/${templateId}`, {
      name: "Run 1 evals",
      contributorTypes: { evaluate: w.type.id, review: reviewers.id },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ name: "Run 1 evals", templateId, projectId: w.project.id });
    expect(res.body.nodes.map((n: { key: string; contributorTypeId: string | null }) => [n.key, n.contributorTypeId])).toEqual([
      ["evaluate", w.type.id],
      ["review", reviewers.id],
      ["done", null],
    ]);
    expect(res.body.nodes[0].leaseSeconds).toBe(600);
    const audit = await t.deps.db.auditEntry.findFirst({ where: { resourceId: res.body.id, action: "pipeline.create" } });
    expect(audit?.actorUserId).toBe(w.owner.id);

    // Tasks flow into it and the contributor of the mapped type can claim.
    const imported = await owner.post(`/api/pipelines/${res.body.id}/tasks`, { tasks: [{ payload: { q: 1 } }] });
    expect(imported.status).toBe(201);
    const claim = await client(t.url, w.contributor.token).post(`/api/projects/${w.project.id}/claims`, { nodeId: res.body.nodes[0].id });
    expect(claim.status, claim.text).toBe(201);

    // Without a name it takes the template's.
    const plain = await owner.post(`/api/projects/${w.project.id}/pipelines/from-template/${templateId}`, {});
    expect(plain.body.name).toBe("Eval + review");
  });

  it("refuses unknown node keys, types of other projects, other orgs' templates and Viewers", async () => {
    const { w, templateId } = await withTemplate();
    const owner = client(t.url, w.owner.token);
    const path = `/api/projects/${w.project.id}/pipelines/from-template/${templateId}`;
    expect((await owner.post(path, { contributorTypes: { nope: w.type.id } })).status).toBe(400);
    const foreignType = await createContributorType(t.deps, w.otherProject.id);
    expect((await owner.post(path, { contributorTypes: { evaluate: foreignType.id } })).status).toBe(400);
    expect((await client(t.url, w.viewer.token).post(path, {})).status).toBe(403);
    expect((await client(t.url, w.contributor.token).post(path, {})).status).toBe(403);
    const theirs = await client(t.url, w.other.admin.token).post(`/api/orgs/${w.other.org.id}/templates`, { name: "theirs", nodes });
    expect((await owner.post(`/api/projects/${w.project.id}/pipelines/from-template/${theirs.body.id}`, {})).status).toBe(404);
    expect((await client(t.url, w.other.admin.token).post(path, {})).status).toBe(404);
    expect(await t.deps.db.pipeline.count({ where: { projectId: w.project.id } })).toBe(0);
  });

  it("instantiates a template whose node keys are names objects inherit (constructor, toString)", async () => {
    const w = await createWorld(t.deps);
    const tpl = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/templates`, {
      name: "Odd keys",
      nodes: [
        { ...nodes[0], key: "constructor" },
        { ...nodes[1], key: "toString", reviews: "constructor" },
        { ...nodes[2], key: "hasOwnProperty" },
      ],
    });
    expect(tpl.status, tpl.text).toBe(201);
    const path = `/api/projects/${w.project.id}/pipelines/from-template/${tpl.body.id}`;
    const res = await client(t.url, w.owner.token).post(path, { contributorTypes: { toString: w.type.id } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.nodes.map((n: { key: string; contributorTypeId: string | null }) => [n.key, n.contributorTypeId])).toEqual([
      ["constructor", null],
      ["toString", w.type.id],
      ["hasOwnProperty", null],
    ]);
  });

  it("the project's list of templates comes in the order they were made, page by page", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const names = Array.from({ length: 7 }, (_, i) => `T${i}`);
    for (const name of names) expect((await admin.post(`/api/orgs/${w.org.id}/templates`, { name, nodes })).status).toBe(201);
    const owner = client(t.url, w.owner.token);
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const r: Res = await owner.get(`/api/projects/${w.project.id}/templates?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status, r.text).toBe(200);
      seen.push(...r.body.items.map((i: { name: string }) => i.name));
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual(names);
    const bad = await owner.get(`/api/projects/${w.project.id}/templates?cursor=garbage`);
    expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_request"]);
  });
});
