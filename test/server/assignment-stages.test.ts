// An assignment (to a person or a type) is checked at import against the
// pipeline's first node, and stays the task's for its whole life. At a later
// task node its assignee may not work (another contributor type) it gives way
// to that node's contributors; at the next node they may work, it holds again.
// Before, the task waited at such a node for someone who could never claim it;
// then the assignment was dropped there, so it was lost for the nodes after.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { keysOf } from "../../server/src/queue/keys";
import { startTestApp, type TestApp } from "../helpers/app";
import type { TestUser } from "../helpers/factories";
import { client } from "../helpers/http";
import { until } from "../helpers/locks";
import { claimAt, evaluateForm, goodAnswers, queueOf, queueProject, submitAs, type Held, type QueueProject } from "../helpers/queue";

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
    // The assignment stays the task's; it only does not apply here.
    const task = await client(t.url, q.owner.token).get(`/api/tasks/${imp.body.taskIds[0]}`);
    expect({ userId: task.body.assignedUserId ?? undefined, contributorTypeId: task.body.assignedTypeId ?? undefined }).toMatchObject(assignTo(q));
    expect(task.body.assignmentApplies).toBe(false);
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

/**
 * evaluate (Evaluators) → evaluate2 (Writers) → [check: a review of evaluate2
 * by Reviewers] → evaluate3 (Evaluators; with `untypedThird`, any type) → done.
 */
async function threeStages(opts: { review?: boolean; untypedThird?: boolean } = {}) {
  const q = await queueProject(t.deps, t.url, {
    lanes: [
      { name: "Evaluators", people: 2 },
      { name: "Writers", people: 2 },
      { name: "Reviewers", people: 1 },
    ],
  });
  const type = (name: string) => q.types[name]!.id;
  const p = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/pipelines`, {
    name: "three stages",
    nodes: [
      { key: "evaluate", kind: "task", name: "Evaluate", contributorTypeId: type("Evaluators"), form: evaluateForm },
      { key: "evaluate2", kind: "task", name: "Evaluate 2", contributorTypeId: type("Writers"), form: evaluateForm },
      ...(opts.review ? [{ key: "check", kind: "review", name: "Check", contributorTypeId: type("Reviewers"), reviews: "evaluate2" }] : []),
      { key: "evaluate3", kind: "task", name: "Evaluate 3", ...(opts.untypedThird ? {} : { contributorTypeId: type("Evaluators") }), form: evaluateForm },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  expect(p.status, p.text).toBe(201);
  const node = (key: string) => (p.body.nodes as Array<{ id: string; key: string }>).find((n) => n.key === key)!.id;
  const [alice, bob] = q.types.Evaluators!.people as [TestUser, TestUser];
  const [w1, w2] = q.types.Writers!.people as [TestUser, TestUser];
  const [rev] = q.types.Reviewers!.people as [TestUser];
  const claim = (who: TestUser, key: string) => claimIn(q, who, node(key));
  const take = async (who: TestUser, key: string): Promise<Held> => {
    const r = await claim(who, key);
    expect(r.status, r.text).toBe(201);
    return r.body.claim;
  };
  const available = async (who: TestUser, key: string) => (await queueOf(q, who)).find((i) => i.nodeId === node(key))?.available;
  const task = async (id: string) => (await client(t.url, q.owner.token).get(`/api/tasks/${id}`)).body;
  const importOne = async (assignTo: object) => {
    const imp = await client(t.url, q.owner.token).post(`/api/pipelines/${p.body.id}/tasks`, { tasks: [{ payload: { a: 1 }, assignTo }] });
    expect(imp.status, imp.text).toBe(201);
    return imp.body.taskIds[0] as string;
  };
  /** A Redis wipe of this project's state, as after a restart: the next access rebuilds it from PostgreSQL. */
  const wipe = () => t.deps.redis.del(keysOf(q.project.id).epoch);
  return { q, node, alice, bob, w1, w2, rev, claim, take, available, task, importOne, wipe };
}

describe("an assignment is the task's for its whole life", () => {
  it("assigned to a person: theirs at the first node, open to the next node's type, theirs again at the node after", async () => {
    const s = await threeStages({ review: true });
    const id = await s.importOne({ userId: s.alice.id });
    expect((await s.claim(s.bob, "evaluate")).body.error.code).toBe("queue_empty");
    const a1 = await s.take(s.alice, "evaluate");
    expect(a1.taskId).toBe(id);
    expect((await submitAs(s.q, s.alice, a1, { answers: goodAnswers })).status).toBe(201);

    // evaluate2 needs Writers, which Alice is not: there the assignment gives way, and the task still shows it.
    expect(await s.task(id)).toMatchObject({ nodeId: s.node("evaluate2"), assignedUserId: s.alice.id, assignmentApplies: false });
    const explorer = await client(t.url, s.q.owner.token).get(`/api/projects/${s.q.project.id}/explorer`);
    expect(explorer.status, explorer.text).toBe(200);
    expect((explorer.body.items as Array<{ id: string }>).find((i) => i.id === id)).toMatchObject({ assignedUserId: s.alice.id, assignmentApplies: false });
    expect(await s.available(s.w2, "evaluate2")).toBe(1);
    const w = await s.take(s.w1, "evaluate2");
    expect((await submitAs(s.q, s.w1, w, { answers: goodAnswers })).status).toBe(201);
    // Returned work goes to its author first, as always.
    const r1 = await s.take(s.rev, "check");
    expect((await submitAs(s.q, s.rev, r1, { verdict: "return", comment: "again" })).status).toBe(201);
    expect((await s.claim(s.w2, "evaluate2")).body.error.code).toBe("queue_empty");
    const again = await s.take(s.w1, "evaluate2");
    expect((await submitAs(s.q, s.w1, again, { answers: goodAnswers })).status).toBe(201);
    const r2 = await s.take(s.rev, "check");
    expect((await submitAs(s.q, s.rev, r2, { verdict: "pass" })).status).toBe(201);

    // evaluate3 needs Evaluators again: only Alice sees and takes it.
    expect(await s.task(id)).toMatchObject({ nodeId: s.node("evaluate3"), assignedUserId: s.alice.id, assignmentApplies: true });
    expect(await s.available(s.bob, "evaluate3")).toBe(0);
    expect(await s.available(s.alice, "evaluate3")).toBe(1);
    expect((await s.claim(s.bob, "evaluate3")).body.error.code).toBe("queue_empty");
    const a3 = await s.take(s.alice, "evaluate3");
    expect(a3.taskId).toBe(id);
    expect((await submitAs(s.q, s.alice, a3, { answers: goodAnswers })).status).toBe(201);
    expect(await s.task(id)).toMatchObject({ status: "completed", assignedUserId: s.alice.id, assignmentApplies: null });
  });

  it("assigned to a type: at a node any type may work, only that type takes it", async () => {
    const s = await threeStages({ untypedThird: true });
    const id = await s.importOne({ contributorTypeId: s.q.types.Evaluators!.id });
    const a1 = await s.take(s.bob, "evaluate");
    expect((await submitAs(s.q, s.bob, a1, { answers: goodAnswers })).status).toBe(201);
    const w = await s.take(s.w1, "evaluate2");
    expect((await submitAs(s.q, s.w1, w, { answers: goodAnswers })).status).toBe(201);
    expect(await s.task(id)).toMatchObject({ assignedTypeId: s.q.types.Evaluators!.id, assignmentApplies: true });
    expect((await s.claim(s.w2, "evaluate3")).body.error.code).toBe("queue_empty");
    expect((await s.take(s.alice, "evaluate3")).taskId).toBe(id);
  });

  it("a Redis rebuild places the task as the live path does: open where the assignment gives way, the assignee's where it applies", async () => {
    const s = await threeStages();
    const id = await s.importOne({ userId: s.alice.id });
    const a1 = await s.take(s.alice, "evaluate");
    expect((await submitAs(s.q, s.alice, a1, { answers: goodAnswers })).status).toBe(201);

    await s.wipe();
    expect(await s.available(s.w2, "evaluate2")).toBe(1);
    const w = await s.take(s.w1, "evaluate2");
    expect(w.taskId).toBe(id);
    // Released where the assignment gives way: back to the node's contributors, live and after a rebuild.
    expect((await client(t.url, s.w1.token).delete(`/api/claims/${w.id}`, { token: w.token })).status).toBe(204);
    expect(await s.available(s.w2, "evaluate2")).toBe(1);
    await s.wipe();
    const w2 = await s.take(s.w2, "evaluate2");
    expect((await submitAs(s.q, s.w2, w2, { answers: goodAnswers })).status).toBe(201);

    await s.wipe();
    expect(await s.available(s.bob, "evaluate3")).toBe(0);
    expect((await s.claim(s.bob, "evaluate3")).body.error.code).toBe("queue_empty");
    const a3 = await s.take(s.alice, "evaluate3");
    expect(a3.taskId).toBe(id);
    // Released where it applies: back to Alice alone, live and after a rebuild.
    expect((await client(t.url, s.alice.token).delete(`/api/claims/${a3.id}`, { token: a3.token })).status).toBe(204);
    expect((await s.claim(s.bob, "evaluate3")).body.error.code).toBe("queue_empty");
    await s.wipe();
    expect((await s.claim(s.bob, "evaluate3")).body.error.code).toBe("queue_empty");
    expect((await s.take(s.alice, "evaluate3")).taskId).toBe(id);
  });

  it("a change of the assignee's type under way: the submit moving the task waits for it and places the task by it", async () => {
    const s = await threeStages();
    const id = await s.importOne({ userId: s.alice.id });
    const a1 = await s.take(s.alice, "evaluate");
    expect((await submitAs(s.q, s.alice, a1, { answers: goodAnswers })).status).toBe(201);
    const w = await s.take(s.w1, "evaluate2");
    // Alice becomes a Writer in a transaction of the test's own (no rebuild follows it, so
    // Redis shows what the submit decided), still open while w1 submits.
    const change = new pg.Client({ connectionString: inject("databaseUrl") });
    const watcher = new pg.Client({ connectionString: inject("databaseUrl") });
    await Promise.all([change.connect(), watcher.connect()]);
    try {
      await change.query("BEGIN");
      await change.query(`UPDATE "ProjectMember" SET "contributorTypeId" = $1 WHERE "projectId" = $2 AND "userId" = $3`, [
        s.q.types.Writers!.id, s.q.project.id, s.alice.id,
      ]);
      const pid: number = (await change.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const submitted = submitAs(s.q, s.w1, w, { answers: goodAnswers });
      await until(watcher, pid, 1, submitted);
      await change.query("COMMIT");
      expect((await submitted).status).toBe(201);
    } finally {
      await change.end();
      await watcher.end();
    }
    // At evaluate3 (Evaluators) Alice, now a Writer, cannot work it: open to Evaluators, still assigned to her.
    expect(await s.task(id)).toMatchObject({ nodeId: s.node("evaluate3"), assignedUserId: s.alice.id, assignmentApplies: false });
    expect((await s.take(s.bob, "evaluate3")).taskId).toBe(id);
  });
});
