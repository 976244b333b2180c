// Deleting a pipeline (modules/pipelines/delete.ts): only one that never held
// work (no task, no run) and that no newer version replaced; any other answers
// 409 pipeline_in_use, telling to archive it instead, and changes nothing.
// The races with imports and runs: pipeline-delete-races.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createOrg } from "../helpers/factories";
import { client, type Res } from "../helpers/http";
import { evaluateForm, importTasks, queueProject, type QueueProject } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
});
afterAll(() => t.close());

const code = (r: Res) => [r.status, r.body?.error?.code];
const owner = (q: QueueProject) => client(t.url, q.owner.token);
const nodes = [
  { key: "rate", kind: "task", name: "Rate", form: evaluateForm },
  { key: "done", kind: "end", name: "Done" },
];
async function another(q: QueueProject, name = "Spot checks") {
  const r = await owner(q).post(`/api/projects/${q.project.id}/pipelines`, { name, description: "Ten a day", nodes });
  expect(r.status).toBe(201);
  return r.body as { id: string; nodes: Array<{ id: string }> };
}
const remove = (q: QueueProject, id: string, token = q.owner.token) => client(t.url, token).delete(`/api/pipelines/${id}`);
const audits = (q: QueueProject) => t.deps.db.auditEntry.findMany({ where: { orgId: q.org.id, action: "pipeline.delete" } });
/** What a refused delete must leave as it was. */
const state = async (id: string) => [
  await t.deps.db.pipeline.findUnique({ where: { id }, select: { name: true, status: true, version: true, previousId: true } }),
  await t.deps.db.pipelineNode.count({ where: { pipelineId: id } }),
  await t.deps.db.task.count({ where: { pipelineId: id } }),
];

describe("deleting a pipeline that never held a task", () => {
  it("answers 204 for an Owner and an Org Admin; the pipeline and its nodes are gone, audited once", async () => {
    const q = await queueProject(t.deps, t.url);
    const spot = await another(q);
    const r = await remove(q, spot.id);
    expect([r.status, r.text]).toEqual([204, ""]);
    expect(await state(spot.id)).toEqual([null, 0, 0]);
    expect(code(await owner(q).get(`/api/pipelines/${spot.id}`))).toEqual([404, "not_found"]);
    const listed = (await owner(q).get(`/api/projects/${q.project.id}/pipelines`)).body.items.map((p: { id: string }) => p.id);
    expect(listed).toEqual([q.pipeline.id]);
    const [entry, ...more] = await audits(q);
    expect(more).toEqual([]);
    expect([entry!.actorUserId, entry!.resourceType, entry!.resourceId]).toEqual([q.owner.id, "pipeline", spot.id]);
    expect(entry!.before).toMatchObject({ name: "Spot checks", description: "Ten a day", status: "active", version: 1, nodes: ["rate", "done"] });
    // Gone: a second delete, an import or a run into it answer 404.
    expect(code(await remove(q, spot.id))).toEqual([404, "not_found"]);
    expect(code(await owner(q).post(`/api/pipelines/${spot.id}/tasks`, { tasks: [{ payload: { n: 1 } }] }))).toEqual([404, "not_found"]);
    const agent = await owner(q).post(`/api/projects/${q.project.id}/agents`, { name: "Bot" });
    expect(code(await owner(q).post(`/api/agents/${agent.body.id}/runs`, { input: {}, output: {}, pipelineId: spot.id }))).toEqual([404, "not_found"]);

    // An Org Admin too, and an archived pipeline is no different.
    const archived = await another(q, "Old checks");
    expect((await owner(q).post(`/api/pipelines/${archived.id}/archive`)).status).toBe(200);
    expect((await remove(q, archived.id, q.admin.token)).status).toBe(204);
    expect(await state(archived.id)).toEqual([null, 0, 0]);
  });

  it("of a newer version: the one it replaced is the newest of its line again, still archived, and may be restored", async () => {
    const q = await queueProject(t.deps, t.url);
    const v1 = await another(q);
    const v2 = await owner(q).post(`/api/pipelines/${v1.id}/versions`, { name: "Spot checks", nodes });
    expect(v2.status).toBe(201);
    expect((await remove(q, v2.body.id)).status).toBe(204);
    const back = await owner(q).get(`/api/pipelines/${v1.id}`);
    expect([back.body.status, back.body.nextId]).toEqual(["archived", null]);
    expect((await owner(q).post(`/api/pipelines/${v1.id}/restore`)).body.status).toBe("active");
  });
});

describe("a pipeline that holds work, or was replaced, is not deleted", () => {
  it("with a task (imported, or from an agent run): 409 pipeline_in_use, saying to archive it; nothing changed", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: { n: 1 } }]);
    const before = await state(q.pipeline.id);
    const r = await remove(q, q.pipeline.id);
    expect(code(r)).toEqual([409, "pipeline_in_use"]);
    expect(r.body.error.message).toMatch(/archive it instead/i);
    expect(r.body.error.details).toEqual({ tasks: true, nextId: null });
    expect(await state(q.pipeline.id)).toEqual(before);
    expect(await audits(q)).toEqual([]);

    const spot = await another(q);
    const agent = await owner(q).post(`/api/projects/${q.project.id}/agents`, { name: "Bot" });
    expect((await owner(q).post(`/api/agents/${agent.body.id}/runs`, { input: {}, output: {}, pipelineId: spot.id })).status).toBe(201);
    const run = await remove(q, spot.id, q.admin.token);
    expect([...code(run), run.body.error.details]).toEqual([409, "pipeline_in_use", { tasks: true, nextId: null }]);
    expect((await state(spot.id))[2]).toBe(1);
  });

  it("a run referencing it counts even without its task (a state no route makes): refused, nothing changed", async () => {
    const q = await queueProject(t.deps, t.url);
    const spot = await another(q);
    const agent = await owner(q).post(`/api/projects/${q.project.id}/agents`, { name: "Bot" });
    expect((await owner(q).post(`/api/agents/${agent.body.id}/runs`, { input: {}, output: {}, pipelineId: spot.id })).status).toBe(201);
    await t.deps.db.task.deleteMany({ where: { pipelineId: spot.id } });
    const r = await remove(q, spot.id);
    expect([...code(r), r.body.error.details]).toEqual([409, "pipeline_in_use", { tasks: true, nextId: null }]);
    expect(await t.deps.db.run.count({ where: { pipelineId: spot.id } })).toBe(1);
  });

  it("a completed task counts too: a pipeline whose work is all done is archived, not deleted", async () => {
    const q = await queueProject(t.deps, t.url);
    const spot = await another(q);
    expect((await owner(q).post(`/api/pipelines/${spot.id}/tasks`, { tasks: [{ payload: { n: 1 } }] })).status).toBe(201);
    await t.deps.db.task.updateMany({ where: { pipelineId: spot.id }, data: { status: "completed", nodeId: spot.nodes[1]!.id } });
    expect(code(await remove(q, spot.id))).toEqual([409, "pipeline_in_use"]);
  });

  it("replaced by a newer version: 409 pipeline_in_use naming the newer one; nothing changed", async () => {
    const q = await queueProject(t.deps, t.url);
    const v1 = await another(q);
    const v2 = await owner(q).post(`/api/pipelines/${v1.id}/versions`, { name: "Spot checks", nodes });
    const before = await state(v1.id);
    const r = await remove(q, v1.id);
    expect([...code(r), r.body.error.details]).toEqual([409, "pipeline_in_use", { tasks: false, nextId: v2.body.id }]);
    expect(await state(v1.id)).toEqual(before);
    expect(await audits(q)).toEqual([]);
  });
});

describe("who may delete", () => {
  it("a Viewer or a Contributor: 403; another org's admin: 404; the pipeline stays", async () => {
    const q = await queueProject(t.deps, t.url);
    const spot = await another(q);
    const viewer = await addProjectMember(t.deps, q.project, "viewer");
    expect(code(await remove(q, spot.id, viewer.token))).toEqual([403, "forbidden"]);
    expect(code(await remove(q, spot.id, q.types.Evaluators!.people[0]!.token))).toEqual([403, "forbidden"]);
    const other = await createOrg(t.deps);
    expect(code(await remove(q, spot.id, other.admin.token))).toEqual([404, "not_found"]);
    expect((await state(spot.id))[0]).not.toBeNull();
    expect(await audits(q)).toEqual([]);
  });
});
