// Managing a task after import (PATCH /api/tasks/:taskId): its priority, its
// assignment (a person, a type, or none) and its status (cancel, reopen). Each
// change is one transaction with its history row and audit entry; Redis follows
// (the claim order, who may claim), and events leave after commit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../server/src/events/bus";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createContributorType, type TestUser } from "../helpers/factories";
import { client } from "../helpers/http";
import { claimAt, goodAnswers, importTasks, mustClaim, queueOf, queueProject, submitAs, type QueueProject } from "../helpers/queue";

let t: TestApp;
const events: DomainEvent[] = [];
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
  t.deps.bus.onAny((e) => events.push(e));
});
afterAll(() => t.close());

const edit = (q: QueueProject, id: string, body: unknown, who: { token: string } = q.owner) => client(t.url, who.token).patch(`/api/tasks/${id}`, body);
const read = async (q: QueueProject, id: string) => (await client(t.url, q.owner.token).get(`/api/tasks/${id}`)).body;
const available = async (q: QueueProject, who: TestUser, key = "evaluate") => (await queueOf(q, who)).find((n) => n.key === key)!.available;

/** A project whose one task node ("rate") any contributor may work, with two types. */
const openNode = () =>
  queueProject(t.deps, t.url, {
    lanes: [{ name: "Evaluators", people: 2 }, { name: "Reviewers", people: 2 }],
    nodes: [
      { key: "rate", kind: "task", name: "Rate", form: { criteria: [{ key: "ok", label: "OK?", kind: "boolean", required: true }] } },
      { key: "done", kind: "end", name: "Done" },
    ],
  });

describe("priority", () => {
  it("reorders claim-next, and the history and audit say who changed it from what to what", async () => {
    const q = await queueProject(t.deps, t.url);
    const ids = await importTasks(q, [{ payload: { n: 0 } }, { payload: { n: 1 } }, { payload: { n: 2 } }]);
    const [alice] = q.types.Evaluators!.people;
    const res = await edit(q, ids[2]!, { priority: 10 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: ids[2], priority: 10, status: "queued" });
    expect((await edit(q, ids[0]!, { priority: -5 })).status).toBe(200);
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await mustClaim(q, alice!, "evaluate")).taskId);
    expect(order).toEqual([ids[2], ids[1], ids[0]]);

    const d = await read(q, ids[2]!);
    expect(d.history.at(1)).toMatchObject({ type: "updated", by: { id: q.owner.id }, data: { priority: { from: 0, to: 10 } } });
    const audit = await t.deps.db.auditEntry.findFirst({ where: { orgId: q.org.id, action: "task.update", resourceId: ids[2] } });
    expect(audit).toMatchObject({ actorUserId: q.owner.id, resourceType: "task", before: { priority: 0 }, after: { priority: 10 } });
    expect(events).toContainEqual(expect.objectContaining({ type: "task.updated", taskId: ids[2], projectId: q.project.id }));
  });

  it("of a claimed task: the holder keeps it, and it comes back with the new priority", async () => {
    const q = await queueProject(t.deps, t.url);
    const ids = await importTasks(q, [{ payload: { n: 0 } }, { payload: { n: 1 } }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const held = await mustClaim(q, alice!, "evaluate");
    expect(held.taskId).toBe(ids[0]);
    expect((await edit(q, ids[0]!, { priority: 3 })).status).toBe(200);
    expect((await client(t.url, alice!.token).get(`/api/claims/${held.id}`)).status).toBe(200);
    expect((await client(t.url, alice!.token).delete(`/api/claims/${held.id}`, { token: held.token })).status).toBe(204);
    expect((await mustClaim(q, bob!, "evaluate")).taskId).toBe(ids[0]);
  });
});

describe("assignment", () => {
  it("to Bob: only Bob can claim it; cleared: anyone who may work the node can", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice, bob, carol] = q.types.Evaluators!.people;
    const res = await edit(q, id!, { assignment: { userId: bob!.id } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ assignedUserId: bob!.id, assignedTypeId: null, assignmentApplies: true });
    expect((await claimAt(q, alice!, "evaluate")).body.error.code).toBe("queue_empty");
    expect((await claimAt(q, alice!, "evaluate", id)).body.error.code).toBe("task_unavailable");
    expect(await available(q, alice!)).toBe(0);
    expect(await available(q, bob!)).toBe(1);

    const cleared = await edit(q, id!, { assignment: null });
    expect(cleared.body).toMatchObject({ assignedUserId: null, assignmentApplies: null });
    expect((await mustClaim(q, carol!, "evaluate")).taskId).toBe(id);
    const d = await read(q, id!);
    expect(d.history.filter((h: { type: string }) => h.type === "updated").map((h: { data: unknown }) => h.data)).toEqual([
      { by: q.owner.id, assignment: { from: null, to: { userId: bob!.id } } },
      { by: q.owner.id, assignment: { from: { userId: bob!.id }, to: null } },
    ]);
  });

  it("to a type: only that type's contributors can claim it", async () => {
    const q = await openNode();
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [ev] = q.types.Evaluators!.people;
    const [rev] = q.types.Reviewers!.people;
    const res = await edit(q, id!, { assignment: { contributorTypeId: q.types.Reviewers!.id } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ assignedTypeId: q.types.Reviewers!.id, assignedUserId: null, assignmentApplies: true });
    expect((await claimAt(q, ev!, "rate")).body.error.code).toBe("queue_empty");
    expect((await mustClaim(q, rev!, "rate")).taskId).toBe(id);
  });

  it("to someone who may not work the current node: taken, with assignmentApplies false (the node's contributors may claim it)", async () => {
    const q = await queueProject(t.deps, t.url); // evaluate needs Evaluators
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [rev] = q.types.Reviewers!.people;
    const [alice] = q.types.Evaluators!.people;
    const res = await edit(q, id!, { assignment: { userId: rev!.id } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ assignedUserId: rev!.id, assignmentApplies: false });
    expect((await mustClaim(q, alice!, "evaluate")).taskId).toBe(id);
  });

  it("of a claimed task to someone else: the holder's claim is revoked (and they are told), the task waits for the assignee", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const held = await mustClaim(q, alice!, "evaluate");
    const res = await edit(q, id!, { assignment: { userId: bob!.id } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: "queued", assignedUserId: bob!.id });
    expect((await t.deps.db.claim.findUniqueOrThrow({ where: { id: held.id } })).outcome).toBe("revoked");
    expect(events).toContainEqual(expect.objectContaining({ type: "task.released", claimId: held.id, reason: "revoked", userId: alice!.id }));
    expect((await submitAs(q, alice!, held, { answers: goodAnswers })).body.error.code).toBe("claim_lost");
    expect((await claimAt(q, alice!, "evaluate")).body.error.code).toBe("queue_empty");
    expect((await mustClaim(q, bob!, "evaluate")).taskId).toBe(id);
    const types = (await read(q, id!)).history.map((h: { type: string }) => h.type);
    expect(types).toEqual(["imported", "claimed", "updated", "revoked", "claimed"]);
  });

  it("of a claimed task to its holder (or their type): the claim stands", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice] = q.types.Evaluators!.people;
    const held = await mustClaim(q, alice!, "evaluate");
    expect((await edit(q, id!, { assignment: { userId: alice!.id } })).status).toBe(200);
    expect((await edit(q, id!, { assignment: { contributorTypeId: q.types.Evaluators!.id } })).status).toBe(200);
    expect((await t.deps.db.claim.findUniqueOrThrow({ where: { id: held.id } })).outcome).toBe("active");
    expect((await submitAs(q, alice!, held, { answers: goodAnswers })).status).toBe(201);
  });
});

describe("cancel and reopen", () => {
  it("a cancelled task leaves the queue counts and cannot be claimed; reopened, it is back where it was", async () => {
    const q = await queueProject(t.deps, t.url);
    const ids = await importTasks(q, [{ payload: { n: 0 }, priority: 5 }, { payload: { n: 1 } }]);
    const [alice] = q.types.Evaluators!.people;
    expect(await available(q, alice!)).toBe(2);
    const res = await edit(q, ids[0]!, { status: "cancelled" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: "cancelled", nodeId: q.node("evaluate") });
    expect(await available(q, alice!)).toBe(1);
    expect((await claimAt(q, alice!, "evaluate", ids[0])).body.error.code).toBe("task_unavailable");
    const list = await client(t.url, q.owner.token).get(`/api/projects/${q.project.id}/tasks?status=cancelled`);
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([ids[0]]);

    const again = await edit(q, ids[0]!, { status: "queued" });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ status: "queued", nodeId: q.node("evaluate"), priority: 5 });
    expect(await available(q, alice!)).toBe(2);
    expect((await mustClaim(q, alice!, "evaluate")).taskId).toBe(ids[0]);
    const d = await read(q, ids[0]!);
    expect(d.history.map((h: { type: string }) => h.type)).toEqual(["imported", "cancelled", "reopened", "claimed"]);
    expect(d.history[1].by).toEqual({ id: q.owner.id, name: q.owner.name });
    const actions = await t.deps.db.auditEntry.findMany({ where: { resourceId: ids[0] }, orderBy: { createdAt: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["task.cancel", "task.reopen"]);
  });

  it("cancelling a claimed task revokes the claim (the holder is told) and frees the holder's limit", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 1, people: 1 }, { name: "Reviewers" }] });
    const ids = await importTasks(q, [{ payload: { n: 0 } }, { payload: { n: 1 } }]);
    const [alice] = q.types.Evaluators!.people;
    const held = await mustClaim(q, alice!, "evaluate");
    expect((await claimAt(q, alice!, "evaluate")).body.error.code).toBe("claim_limit_reached");
    const res = await edit(q, held.taskId, { status: "cancelled" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe("cancelled");
    expect((await t.deps.db.claim.findUniqueOrThrow({ where: { id: held.id } })).outcome).toBe("revoked");
    expect(events).toContainEqual(expect.objectContaining({ type: "task.released", claimId: held.id, reason: "revoked" }));
    expect((await submitAs(q, alice!, held, { answers: goodAnswers })).body.error.code).toBe("claim_lost");
    const next = await mustClaim(q, alice!, "evaluate");
    expect(next.taskId).toBe(ids.find((x) => x !== held.taskId));
    const types = (await read(q, held.taskId)).history.map((h: { type: string }) => h.type);
    expect(types).toEqual(["imported", "claimed", "revoked", "cancelled"]);
  });

  it("at a review node: reopened, it waits for review again, never offered to its author", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", people: 1 }, { name: "Reviewers", people: 1 }] });
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice] = q.types.Evaluators!.people;
    const [rev] = q.types.Reviewers!.people;
    expect((await submitAs(q, alice!, await mustClaim(q, alice!, "evaluate"), { answers: goodAnswers })).status).toBe(201);
    expect(await available(q, rev!, "review")).toBe(1);
    expect((await edit(q, id!, { status: "cancelled" })).status).toBe(200);
    expect(await available(q, rev!, "review")).toBe(0);
    expect((await edit(q, id!, { status: "queued" })).status).toBe(200);
    expect(await available(q, rev!, "review")).toBe(1);
    expect((await mustClaim(q, rev!, "review")).taskId).toBe(id);
  });

  it("a completed task cannot be changed (409 task_completed)", async () => {
    const q = await queueProject(t.deps, t.url, {
      nodes: [
        { key: "evaluate", kind: "task", name: "Evaluate", form: { criteria: [{ key: "ok", label: "OK?", kind: "boolean", required: true }] } },
        { key: "done", kind: "end", name: "Done" },
      ],
    });
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice] = q.types.Evaluators!.people;
    expect((await submitAs(q, alice!, await mustClaim(q, alice!, "evaluate"), { answers: { ok: true } })).status).toBe(201);
    for (const body of [{ priority: 1 }, { status: "cancelled" }, { assignment: null }]) {
      const res = await edit(q, id!, body);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("task_completed");
    }
  });
});

describe("bad input and access", () => {
  it("answers 400 (API.md shape) and changes nothing for an unknown field, a priority out of range, or an assignee who is no contributor here", async () => {
    const q = await queueProject(t.deps, t.url);
    const other = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const viewer = await addProjectMember(t.deps, q.project, "viewer");
    const elsewhereType = await createContributorType(t.deps, other.project.id);
    const before = await read(q, id!);
    const cases: Array<[unknown, string?]> = [
      [{ priority: 1, colour: "red" }],
      [{ priority: 1001 }, "priority"],
      [{ priority: -1001 }, "priority"],
      [{ priority: 1.5 }, "priority"],
      [{ status: "completed" }, "status"],
      [{ assignment: { userId: other.types.Evaluators!.people[0]!.id } }, "assignment.userId"],
      [{ assignment: { userId: viewer.id } }, "assignment.userId"],
      [{ assignment: { userId: q.owner.id } }, "assignment.userId"],
      [{ assignment: { contributorTypeId: elsewhereType.id } }, "assignment.contributorTypeId"],
      [{ assignment: { userId: q.owner.id, contributorTypeId: q.types.Evaluators!.id } }],
      [{}],
      [{ priority: 2, assignment: { userId: viewer.id } }, "assignment.userId"],
    ];
    for (const [body, path] of cases) {
      const res = await edit(q, id!, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: "invalid_request", message: expect.any(String) });
      if (path) expect(res.body.error.details.issues.map((i: { path: string }) => i.path), JSON.stringify(body)).toContain(path);
    }
    expect(await read(q, id!)).toEqual(before);
    expect(await t.deps.db.auditEntry.count({ where: { resourceId: id } })).toBe(0);
  });

  it("answers 404 for a task of another org or none at all, 403 for a Viewer or a contributor", async () => {
    const q = await queueProject(t.deps, t.url);
    const other = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const viewer = await addProjectMember(t.deps, q.project, "viewer");
    expect((await edit(q, id!, { priority: 1 }, other.admin)).status).toBe(404);
    expect((await edit(q, "no-such-task", { priority: 1 })).status).toBe(404);
    expect((await edit(q, id!, { priority: 1 }, viewer)).body.error.code).toBe("forbidden");
    expect((await edit(q, id!, { priority: 1 }, q.types.Evaluators!.people[0]!)).status).toBe(403);
    expect((await edit(q, id!, { priority: 1 }, q.admin)).status).toBe(200);
    expect((await read(q, id!)).priority).toBe(1);
  });

  it("answers 409 project_archived in an archived project", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    expect((await client(t.url, q.admin.token).post(`/api/projects/${q.project.id}/archive`)).status).toBe(200);
    const res = await edit(q, id!, { priority: 1 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("project_archived");
  });
});
