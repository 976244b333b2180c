// Pipelines over HTTP: ordered nodes, forms, review links, and every rule of a
// valid definition answered as a 400 naming the offending node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createContributorType, createWorld } from "../helpers/factories";
import { client } from "../helpers/http";
import { evaluateForm } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const task = (key: string, extra: Record<string, unknown> = {}) => ({ key, kind: "task", name: key, form: evaluateForm, ...extra });
const review = (key: string, reviews: string, extra: Record<string, unknown> = {}) => ({ key, kind: "review", name: key, reviews, ...extra });
const end = { key: "end", kind: "end", name: "Done" };

describe("creating a pipeline", () => {
  it("keeps the nodes in order, links reviews by key and fills lease defaults", async () => {
    const w = await createWorld(t.deps);
    const experts = await createContributorType(t.deps, w.project.id, { name: "Experts" });
    const res = await client(t.url, w.owner.token).post(`/api/projects/${w.project.id}/pipelines`, {
      name: "Support runs",
      nodes: [task("rate", { contributorTypeId: experts.id, leaseSeconds: 600 }), review("qa", "rate", { maxLeaseSeconds: 7200 }), end],
    });
    expect(res.status).toBe(201);
    const p = res.body;
    expect(p.nodes.map((n: { key: string; position: number }) => [n.key, n.position])).toEqual([["rate", 0], ["qa", 1], ["end", 2]]);
    const [rate, qa] = p.nodes;
    expect(rate).toMatchObject({ kind: "task", contributorTypeId: experts.id, leaseSeconds: 600, maxLeaseSeconds: 2400 });
    expect(rate.form.criteria.find((c: { key: string }) => c.key === "accuracy")).toMatchObject({ min: 1, max: 5, required: true });
    expect(qa).toMatchObject({ kind: "review", reviews: "rate", reviewsNodeId: rate.id, leaseSeconds: 1800, maxLeaseSeconds: 7200, form: null });

    const list = await client(t.url, w.viewer.token).get(`/api/projects/${w.project.id}/pipelines`);
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([p.id]);
    const one = await client(t.url, w.admin.token).get(`/api/pipelines/${p.id}`);
    expect(one.body).toEqual(p);
    const audit = await t.deps.db.auditEntry.findFirst({ where: { orgId: w.org.id, action: "pipeline.create" } });
    expect(audit?.resourceId).toBe(p.id);
  });

  const invalid: Array<[string, unknown[], string]> = [
    ["two end nodes", [task("a"), end, { ...end, key: "end2" }], "nodes"],
    ["no end node", [task("a"), task("b")], "nodes"],
    ["the end node not last", [task("a"), end, task("b")], "nodes"],
    ["a duplicate key", [task("a"), task("a"), end], "nodes.1.key"],
    ["a review of a later node", [review("r", "a"), task("a"), end], "nodes.0.reviews"],
    ["a review of a review node", [task("a"), review("r", "a"), review("r2", "r"), end], "nodes.2.reviews"],
    ["a review of an unknown key", [task("a"), review("r", "zzz"), end], "nodes.1.reviews"],
    ["a task node without a form", [{ key: "a", kind: "task", name: "A" }, end], "nodes.0.form"],
    ["a form on a review node", [task("a"), { ...review("r", "a"), form: evaluateForm }, end], "nodes.1.form"],
    ["a lease below 5 seconds", [task("a", { leaseSeconds: 2 }), end], "nodes.0.leaseSeconds"],
    ["a maximum lease below the lease", [task("a", { leaseSeconds: 600, maxLeaseSeconds: 300 }), end], "nodes.0.maxLeaseSeconds"],
    ["a rating with min ≥ max", [task("a", { form: { criteria: [{ key: "x", label: "X", kind: "rating", min: 5, max: 5 }] } }), end], "nodes.0.form.criteria.0.max"],
    ["a choice without options", [task("a", { form: { criteria: [{ key: "x", label: "X", kind: "choice" }] } }), end], "nodes.0.form.criteria.0.options"],
    ["duplicate criterion keys", [task("a", { form: { criteria: [{ key: "x", label: "X", kind: "text" }, { key: "x", label: "Y", kind: "boolean" }] } }), end], "nodes.0.form.criteria"],
    ["an unknown field", [task("a", { color: "red" }), end], "nodes.0"],
  ];
  for (const [what, nodes, path] of invalid) {
    it(`refuses ${what}`, async () => {
      const w = await createWorld(t.deps);
      const res = await client(t.url, w.owner.token).post(`/api/projects/${w.project.id}/pipelines`, { name: "Bad", nodes });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(await t.deps.db.pipeline.count({ where: { projectId: w.project.id } })).toBe(0);
    });
  }

  it("refuses a contributor type of another project", async () => {
    const w = await createWorld(t.deps);
    const foreign = await createContributorType(t.deps, w.otherProject.id);
    const res = await client(t.url, w.owner.token).post(`/api/projects/${w.project.id}/pipelines`, {
      name: "P",
      nodes: [task("a", { contributorTypeId: foreign.id }), end],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe("nodes.0.contributorTypeId");
  });

  it("answers 404 for another org's pipeline and 403 for a viewer's write", async () => {
    const w = await createWorld(t.deps);
    const created = await client(t.url, w.owner.token).post(`/api/projects/${w.project.id}/pipelines`, { name: "P", nodes: [task("a"), end] });
    expect((await client(t.url, w.other.admin.token).get(`/api/pipelines/${created.body.id}`)).status).toBe(404);
    expect((await client(t.url, w.viewer.token).post(`/api/projects/${w.project.id}/pipelines`, { name: "P", nodes: [task("a"), end] })).status).toBe(403);
  });
});

describe("the demo content", () => {
  it("seeds the 'Support agent review' pipeline with ~30 agent runs a Domain Expert can claim", async () => {
    const { demoPipeline } = await import("../../server/src/modules/pipelines/demo");
    const { addProjectMember } = await import("../helpers/factories");
    const w = await createWorld(t.deps);
    const expert = w.type; // "Domain Expert"
    const qa = await createContributorType(t.deps, w.project.id, { name: "QA Specialist" });
    await t.deps.db.$transaction((tx) =>
      demoPipeline(tx as never, { orgId: w.org.id, projectId: w.project.id, users: {}, types: { "Domain Expert": expert.id, "QA Specialist": qa.id }, now: new Date() }),
    );
    const [p] = (await client(t.url, w.owner.token).get(`/api/projects/${w.project.id}/pipelines`)).body.items;
    expect(p.name).toBe("Support agent review");
    expect(p.nodes.map((n: { kind: string; contributorTypeId: string | null }) => [n.kind, n.contributorTypeId])).toEqual([["task", expert.id], ["review", qa.id], ["end", null]]);
    expect(p.nodes[0].form.criteria.map((c: { key: string; required: boolean }) => [c.key, c.required])).toEqual([["accuracy", true], ["helpful", true], ["notes", false]]);
    const alice = await addProjectMember(t.deps, w.project, "contributor", expert.id, "alice");
    const queue = await client(t.url, alice.token).get(`/api/projects/${w.project.id}/queue`);
    expect(queue.body.items).toEqual([expect.objectContaining({ key: "evaluate", available: 30, canClaim: true })]);
    const claimed = await client(t.url, alice.token).post(`/api/projects/${w.project.id}/claims`, { nodeId: p.nodes[0].id });
    expect(claimed.body.task.priority).toBe(3); // the most urgent run first
    expect(claimed.body.task.payload).toMatchObject({ input: expect.any(String), output: expect.any(String), conversation: expect.any(Array) });
  });
});
