// A pipeline after its creation (modules/pipelines/lifecycle.ts): renamed,
// archived and restored, replaced by a new version. An archived pipeline takes
// no new tasks (imports and runs: 409 pipeline_archived, nothing written),
// while the tasks already in it are claimed, submitted and reviewed to the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createContributorType } from "../helpers/factories";
import { client, type Res } from "../helpers/http";
import { evaluateForm, goodAnswers, importTasks, mustClaim, queueOf, queueProject, submitAs, type QueueProject } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
});
afterAll(() => t.close());

const code = (r: Res) => [r.status, r.body?.error?.code];
const owner = (q: QueueProject) => client(t.url, q.owner.token);
const importTo = (q: QueueProject, pipelineId: string) => owner(q).post(`/api/pipelines/${pipelineId}/tasks`, { tasks: [{ payload: { n: 1 } }] });
const audits = (orgId: string, action: string) => t.deps.db.auditEntry.findMany({ where: { orgId, action }, orderBy: { createdAt: "asc" } });
const taskCount = (q: QueueProject) => t.deps.db.task.count({ where: { projectId: q.project.id } });

async function withAgent(q: QueueProject) {
  const r = await owner(q).post(`/api/projects/${q.project.id}/agents`, { name: "Bot" });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
const ingest = (q: QueueProject, agentId: string, pipelineId: string) =>
  owner(q).post(`/api/agents/${agentId}/runs`, { input: { prompt: "2+2?" }, output: { answer: "4" }, pipelineId });

/** The default pipeline's nodes with one more question on the evaluation form. */
function changedNodes(q: QueueProject) {
  const form = { criteria: [...evaluateForm.criteria, { key: "safe", label: "Safe?", kind: "boolean" }] };
  return [
    { key: "evaluate", kind: "task", name: "Evaluate", contributorTypeId: q.types.Evaluators!.id, form },
    { key: "review", kind: "review", name: "Review", contributorTypeId: q.types.Reviewers!.id, reviews: "evaluate" },
    { key: "done", kind: "end", name: "Done" },
  ];
}

describe("renaming a pipeline", () => {
  it("changes its name and description for Owners, audited once; Viewers 403, bad input 400, nothing changed", async () => {
    const q = await queueProject(t.deps, t.url);
    const alice = q.types.Evaluators!.people[0]!;
    expect((await queueOf(q, alice))[0]!.pipelineName).toBe("Agent evals");
    const path = `/api/pipelines/${q.pipeline.id}`;
    const r = await owner(q).patch(path, { name: "  Support evals ", description: "Weekly sample" });
    expect([r.status, r.body.name, r.body.description, r.body.status, r.body.version]).toEqual([200, "Support evals", "Weekly sample", "active", 1]);
    expect((await owner(q).patch(path, { name: "Support evals" })).status).toBe(200);
    const [entry, ...more] = await audits(q.org.id, "pipeline.update");
    expect(more).toEqual([]);
    expect([entry!.resourceId, entry!.before, entry!.after]).toEqual([
      q.pipeline.id,
      { name: "Agent evals", description: "" },
      { name: "Support evals", description: "Weekly sample" },
    ]);
    // The contributors' queue shows the new name at once (the definitions cached for claims are dropped).
    expect((await queueOf(q, alice))[0]!.pipelineName).toBe("Support evals");

    const viewer = await addProjectMember(t.deps, q.project, "viewer");
    expect(code(await client(t.url, viewer.token).patch(path, { name: "Mine" }))).toEqual([403, "forbidden"]);
    expect(code(await owner(q).patch(path, { name: " " }))).toEqual([400, "invalid_request"]);
    expect(code(await owner(q).patch(path, { nodes: [] }))).toEqual([400, "invalid_request"]);
    expect((await owner(q).get(path)).body).toMatchObject({ name: "Support evals", description: "Weekly sample" });
  });
});

describe("archiving a pipeline", () => {
  it("refuses new tasks (imports and runs, nothing written) while the tasks in it are worked to the end", async () => {
    const q = await queueProject(t.deps, t.url);
    const agentId = await withAgent(q);
    const [first, second] = await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const held = await mustClaim(q, alice!, "evaluate", first);

    const path = `/api/pipelines/${q.pipeline.id}`;
    const viewer = await addProjectMember(t.deps, q.project, "viewer");
    expect(code(await client(t.url, viewer.token).post(`${path}/archive`))).toEqual([403, "forbidden"]);
    const a = await owner(q).post(`${path}/archive`);
    expect([a.status, a.body.status]).toEqual([200, "archived"]);
    // Idempotent: asked again, it changes and records nothing.
    expect((await owner(q).post(`${path}/archive`)).body.status).toBe("archived");
    expect(await audits(q.org.id, "pipeline.archive")).toHaveLength(1);

    const before = await taskCount(q);
    const refused = await importTo(q, q.pipeline.id);
    expect(code(refused)).toEqual([409, "pipeline_archived"]);
    expect(refused.body.error.details).toBeUndefined();
    expect(code(await ingest(q, agentId, q.pipeline.id))).toEqual([409, "pipeline_archived"]);
    expect([await taskCount(q), await t.deps.db.run.count({ where: { projectId: q.project.id } })]).toEqual([before, 0]);

    // The tasks in it still flow: the held claim is submitted, the other task claimed, both reviewed to the end.
    expect((await submitAs(q, alice!, held, { answers: goodAnswers })).status).toBe(201);
    const other = await mustClaim(q, bob!, "evaluate", second);
    expect((await submitAs(q, bob!, other, { answers: goodAnswers })).status).toBe(201);
    const [rita] = q.types.Reviewers!.people;
    for (let i = 0; i < 2; i++) {
      const r = await mustClaim(q, rita!, "review");
      expect((await submitAs(q, rita!, r, { verdict: "pass" })).status).toBe(201);
    }
    const done = await t.deps.db.task.findMany({ where: { id: { in: [first!, second!] } } });
    expect(done.map((x) => [x.status, x.nodeId])).toEqual([["completed", q.node("done")], ["completed", q.node("done")]]);
    // Emptied, an archived pipeline's nodes leave the contributors' queue.
    expect(await queueOf(q, alice!)).toEqual([]);

    const list = async (status: string) =>
      (await owner(q).get(`/api/projects/${q.project.id}/pipelines?status=${status}`)).body.items.map((p: { id: string }) => p.id);
    expect([await list("archived"), await list("active")]).toEqual([[q.pipeline.id], []]);

    const restored = await owner(q).post(`${path}/restore`);
    expect([restored.status, restored.body.status]).toEqual([200, "active"]);
    expect((await importTo(q, q.pipeline.id)).status).toBe(201);
    expect((await ingest(q, agentId, q.pipeline.id)).status).toBe(201);
    expect((await queueOf(q, alice!)).map((n) => n.key)).toEqual(["evaluate"]);
  });
});

describe("a new version of a pipeline", () => {
  it("replaces it for new work; the tasks in flight finish on the old one", async () => {
    const q = await queueProject(t.deps, t.url);
    const agentId = await withAgent(q);
    const [inFlight] = await importTasks(q, [{ payload: { n: 1 } }]);
    const [alice] = q.types.Evaluators!.people;
    const [rita] = q.types.Reviewers!.people;
    const held = await mustClaim(q, alice!, "evaluate", inFlight);
    const v1 = q.pipeline.id;

    const r = await owner(q).post(`/api/pipelines/${v1}/versions`, { name: "Agent evals", nodes: changedNodes(q) });
    expect(r.status, r.text).toBe(201);
    const v2 = r.body;
    expect([v2.version, v2.previousId, v2.nextId, v2.status, v2.name]).toEqual([2, v1, null, "active", "Agent evals"]);
    expect(v2.nodes[0].form.criteria.map((c: { key: string }) => c.key)).toContain("safe");
    const old = (await owner(q).get(`/api/pipelines/${v1}`)).body;
    expect([old.status, old.nextId, old.version]).toEqual(["archived", v2.id, 1]);
    const [made] = await audits(q.org.id, "pipeline.version");
    const [archived] = await audits(q.org.id, "pipeline.archive");
    expect([made!.resourceId, made!.before, archived!.resourceId, archived!.after]).toEqual([
      v2.id,
      { pipelineId: v1, version: 1 },
      v1,
      { status: "archived", replacedBy: v2.id },
    ]);

    // New work: refused on the old version, which names the new one; taken by the new one.
    const refused = await importTo(q, v1);
    expect([...code(refused), refused.body.error.details]).toEqual([409, "pipeline_archived", { currentPipelineId: v2.id }]);
    const run = await ingest(q, agentId, v1);
    expect([...code(run), run.body.error.details]).toEqual([409, "pipeline_archived", { currentPipelineId: v2.id }]);
    const imported = await importTo(q, v2.id);
    expect(imported.status).toBe(201);
    expect((await ingest(q, agentId, v2.id)).status).toBe(201);

    // The task in flight finishes on version 1: submitted, reviewed at v1's review node, ended at v1's end.
    expect((await submitAs(q, alice!, held, { answers: goodAnswers })).status).toBe(201);
    const ritas = await queueOf(q, rita!);
    expect(ritas.map((n) => [n.nodeId, n.available, (n as { pipelineVersion?: number }).pipelineVersion])).toEqual([
      [q.node("review"), 1, 1],
      [v2.nodes[1].id, 0, 2],
    ]);
    const review = await mustClaim(q, rita!, "review", inFlight);
    expect((await submitAs(q, rita!, review, { verdict: "pass" })).status).toBe(201);
    const task = await t.deps.db.task.findUniqueOrThrow({ where: { id: inFlight! } });
    expect([task.status, task.pipelineId, task.nodeId]).toEqual(["completed", v1, q.node("done")]);
    // Emptied, version 1 leaves the queue; version 2 holds the new work.
    expect((await queueOf(q, alice!)).map((n) => [n.nodeId, n.available])).toEqual([[v2.nodes[0].id, 2]]);

    // A line, not a tree: only the newest version changes; a replaced one stays archived.
    const again = await owner(q).post(`/api/pipelines/${v1}/versions`, { name: "Fork", nodes: changedNodes(q) });
    expect([...code(again), again.body.error.details]).toEqual([409, "pipeline_superseded", { currentPipelineId: v2.id }]);
    expect(code(await owner(q).post(`/api/pipelines/${v1}/restore`))).toEqual([409, "pipeline_superseded"]);
    const v3 = (await owner(q).post(`/api/pipelines/${v2.id}/versions`, { name: "Agent evals", nodes: changedNodes(q) })).body;
    expect(v3.version).toBe(3);
    expect((await importTo(q, v1)).body.error.details).toEqual({ currentPipelineId: v3.id });
  });

  it("refuses a bad definition, a Viewer and another project's type: 400/403, nothing written, the old one still active", async () => {
    const q = await queueProject(t.deps, t.url);
    const path = `/api/pipelines/${q.pipeline.id}/versions`;
    const viewer = await addProjectMember(t.deps, q.project, "viewer");
    const foreign = await createContributorType(t.deps, (await queueProject(t.deps, t.url)).project.id);
    const bad = changedNodes(q).slice(0, 2);
    const res = await owner(q).post(path, { name: "Agent evals", nodes: bad });
    expect(code(res)).toEqual([400, "invalid_request"]);
    expect(code(await client(t.url, viewer.token).post(path, { name: "Agent evals", nodes: changedNodes(q) }))).toEqual([403, "forbidden"]);
    const typed = changedNodes(q).map((n, i) => (i === 0 ? { ...n, contributorTypeId: foreign.id } : n));
    const wrongType = await owner(q).post(path, { name: "Agent evals", nodes: typed });
    expect([...code(wrongType), wrongType.body.error.details.issues[0].path]).toEqual([400, "invalid_request", "nodes.0.contributorTypeId"]);
    expect(await t.deps.db.pipeline.findMany({ where: { projectId: q.project.id }, select: { id: true, status: true } })).toEqual([
      { id: q.pipeline.id, status: "active" },
    ]);
  });

  it("goes with its project when the project is deleted", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: { n: 1 } }]);
    expect((await owner(q).post(`/api/pipelines/${q.pipeline.id}/versions`, { name: "Agent evals", nodes: changedNodes(q) })).status).toBe(201);
    expect((await client(t.url, q.admin.token).delete(`/api/projects/${q.project.id}`)).status).toBe(204);
    expect(await t.deps.db.pipeline.count({ where: { projectId: q.project.id } })).toBe(0);
  });
});
