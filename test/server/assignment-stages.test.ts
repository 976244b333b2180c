// An assignment (to a person or a type) is checked at import against the
// pipeline's first node. When the task moves on to a later task node its
// assignee may not work (another contributor type), the assignment gives way to
// that node's contributors; where the assignee may work it, it still holds.
// Before, the task waited at such a node for someone who could never claim it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { claimAt, evaluateForm, goodAnswers, queueProject, submitAs, type QueueProject } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** A pipeline of two task nodes, "first" for Evaluators and "second" for `secondType`, then a review of "second". */
async function twoStages(q: QueueProject, secondType: string) {
  const p = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/pipelines`, {
    name: "two stages",
    nodes: [
      { key: "first", kind: "task", name: "First", contributorTypeId: q.types.Evaluators!.id, form: evaluateForm },
      { key: "second", kind: "task", name: "Second", contributorTypeId: secondType, form: evaluateForm },
      { key: "check", kind: "review", name: "Check", contributorTypeId: q.types.Reviewers!.id, reviews: "second" },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  expect(p.status, p.text).toBe(201);
  const node = (key: string) => (p.body.nodes as Array<{ id: string; key: string }>).find((n) => n.key === key)!.id;
  return { id: p.body.id as string, node };
}

async function claimIn(q: QueueProject, who: { token: string }, nodeId: string) {
  return client(t.url, who.token).post(`/api/projects/${q.project.id}/claims`, { nodeId });
}

describe("assignments across stages", () => {
  it.each([
    ["a person", (q: QueueProject) => ({ userId: q.types.Evaluators!.people[0]!.id })],
    ["a type", (q: QueueProject) => ({ contributorTypeId: q.types.Evaluators!.id })],
  ])("assigned to %s: at a later task node of another type, the task opens to that node's contributors", async (_what, assignTo) => {
    const q = await queueProject(t.deps, t.url);
    const p = await twoStages(q, q.types.Reviewers!.id);
    const [alice] = q.types.Evaluators!.people;
    const [rev] = q.types.Reviewers!.people;
    const imp = await client(t.url, q.owner.token).post(`/api/pipelines/${p.id}/tasks`, { tasks: [{ payload: { a: 1 }, assignTo: assignTo(q) }] });
    expect(imp.status, imp.text).toBe(201);
    const held = await claimIn(q, alice!, p.node("first"));
    expect(held.status, held.text).toBe(201);
    expect((await submitAs(q, alice!, held.body.claim, { answers: goodAnswers })).status).toBe(201);

    const taken = await claimIn(q, rev!, p.node("second"));
    expect(taken.status, taken.text).toBe(201);
    const task = await t.deps.db.task.findUniqueOrThrow({ where: { id: imp.body.taskIds[0] } });
    expect([task.assignedUserId, task.assignedTypeId]).toEqual([null, null]);
  });

  it("assigned to a person: at a later task node they may work, it stays theirs", async () => {
    const q = await queueProject(t.deps, t.url);
    const p = await twoStages(q, q.types.Evaluators!.id);
    const [alice, bob] = q.types.Evaluators!.people;
    const imp = await client(t.url, q.owner.token).post(`/api/pipelines/${p.id}/tasks`, { tasks: [{ payload: { a: 1 }, assignTo: { userId: alice!.id } }] });
    const held = await claimIn(q, alice!, p.node("first"));
    expect((await submitAs(q, alice!, held.body.claim, { answers: goodAnswers })).status).toBe(201);
    expect((await claimIn(q, bob!, p.node("second"))).body.error.code).toBe("queue_empty");
    const again = await claimIn(q, alice!, p.node("second"));
    expect(again.status, again.text).toBe(201);
    expect(again.body.claim.taskId).toBe(imp.body.taskIds[0]);
  });
});
