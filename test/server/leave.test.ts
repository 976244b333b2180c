// A person who leaves a project (off its team, or out of the org) holds nothing
// and keeps nothing waiting: their live claims are revoked, the tasks assigned to
// them or returned to them for rework open to the others who may work the node
// (the assignment cleared for good). A change of role does the same for what the
// person can no longer do; given another type, an assignment to them stays and
// applies wherever that type may work.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../server/src/events/bus";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { claimAt, evaluateForm, goodAnswers, importTasks, mustClaim, queueOf, queueProject, submitAs, type QueueProject } from "../helpers/queue";

let t: TestApp;
const events: DomainEvent[] = [];
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
  t.deps.bus.onAny((e) => events.push(e));
});
afterAll(() => t.close());

describe("leaving a project", () => {
  it("taken off the team: their claim is revoked and the task goes to the next contributor", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: { q: 1 } }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const held = await mustClaim(q, alice!, "evaluate");
    expect((await claimAt(q, bob!, "evaluate")).body.error.code).toBe("queue_empty");

    const res = await client(t.url, q.admin.token).delete(`/api/projects/${q.project.id}/members/${alice!.id}`);
    expect(res.status).toBe(204);
    const claim = await t.deps.db.claim.findUniqueOrThrow({ where: { id: held.id } });
    expect(claim.outcome).toBe("revoked");
    expect(events).toContainEqual(expect.objectContaining({ type: "task.released", claimId: held.id, reason: "revoked" }));

    const next = await mustClaim(q, bob!, "evaluate");
    expect(next.taskId).toBe(id);
    expect((await submitAs(q, alice!, held, { answers: goodAnswers })).status).toBeGreaterThanOrEqual(400);
    expect((await submitAs(q, bob!, next, { answers: goodAnswers })).status).toBe(201);
    const audit = await t.deps.db.auditEntry.findFirst({ where: { orgId: q.org.id, action: "member.remove" }, orderBy: { createdAt: "desc" } });
    expect(audit?.after).toMatchObject({ claimsRevoked: 1, tasksReopened: 0 });
  });

  it("removed from the org: work returned to them and work assigned to them opens to their type", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const [reviewer] = q.types.Reviewers!.people;
    const [returned, assigned] = await importTasks(q, [{ payload: { q: 1 } }, { payload: { q: 2 }, assignTo: { userId: alice!.id } }]);
    // Alice's evaluation of the first task comes back to her for rework.
    const first = await mustClaim(q, alice!, "evaluate", returned);
    expect((await submitAs(q, alice!, first, { answers: goodAnswers })).status).toBe(201);
    const review = await mustClaim(q, reviewer!, "review");
    expect((await submitAs(q, reviewer!, review, { verdict: "return", comment: "again" })).status).toBe(201);
    expect((await queueOf(q, bob!)).find((i) => i.key === "evaluate")).toMatchObject({ available: 0 });

    const res = await client(t.url, q.admin.token).delete(`/api/orgs/${q.org.id}/people/${alice!.id}`);
    expect(res.status).toBe(204);
    expect((await queueOf(q, bob!)).find((i) => i.key === "evaluate")).toMatchObject({ available: 2, canClaim: true });
    const taken = [(await mustClaim(q, bob!, "evaluate")).taskId, (await mustClaim(q, bob!, "evaluate")).taskId];
    expect(taken.sort()).toEqual([returned, assigned].sort());
    const rows = await t.deps.db.task.findMany({ where: { id: { in: [returned!, assigned!] } } });
    expect(rows.every((r) => r.reworkUserId === null && r.assignedUserId === null)).toBe(true);
  });

  it("taken off the team, then added again: the assignment does not come back", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const [assigned] = await importTasks(q, [{ payload: { q: 1 }, assignTo: { userId: alice!.id } }]);
    const team = client(t.url, q.owner.token);
    expect((await team.delete(`/api/projects/${q.project.id}/members/${alice!.id}`)).status).toBe(204);
    const back = await team.post(`/api/projects/${q.project.id}/members`, { userId: alice!.id, role: "contributor", contributorTypeId: q.types.Evaluators!.id });
    expect(back.status, back.text).toBe(201);
    expect((await t.deps.db.task.findUniqueOrThrow({ where: { id: assigned! } })).assignedUserId).toBeNull();
    expect((await mustClaim(q, bob!, "evaluate")).taskId).toBe(assigned);
  });
});

describe("work returned after its author left", () => {
  /** Alice's submission of one task, claimed for review. */
  async function inReview() {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const [reviewer] = q.types.Reviewers!.people;
    const [id] = await importTasks(q, [{ payload: { q: 1 } }]);
    const held = await mustClaim(q, alice!, "evaluate");
    expect((await submitAs(q, alice!, held, { answers: goodAnswers })).status).toBe(201);
    const review = await mustClaim(q, reviewer!, "review");
    return { q, alice: alice!, bob: bob!, reviewer: reviewer!, id: id!, review };
  }

  // The author left (or changed standing) while their work waited for review:
  // the return must not reserve the task for someone who can never claim it.
  it.each([
    ["taken off the team", (q: QueueProject, id: string) => client(t.url, q.owner.token).delete(`/api/projects/${q.project.id}/members/${id}`)],
    ["made a Viewer", (q: QueueProject, id: string) => client(t.url, q.owner.token).patch(`/api/projects/${q.project.id}/members/${id}`, { role: "viewer" })],
    [
      "given another contributor type",
      (q: QueueProject, id: string) => client(t.url, q.owner.token).patch(`/api/projects/${q.project.id}/members/${id}`, { contributorTypeId: q.types.Reviewers!.id }),
    ],
  ])("%s: the returned task opens to the node's contributors", async (_what, leave) => {
    const { q, alice, bob, reviewer, id, review } = await inReview();
    expect((await leave(q, alice.id)).status).toBeLessThan(300);
    expect((await submitAs(q, reviewer, review, { verdict: "return", comment: "again" })).status).toBe(201);

    expect((await t.deps.db.task.findUniqueOrThrow({ where: { id: id } })).reworkUserId).toBeNull();
    expect((await queueOf(q, bob)).find((i) => i.key === "evaluate")).toMatchObject({ available: 1, canClaim: true });
    // Whoever takes it gets the reviewer's word and the returned answers, as the author would have.
    const taken = await claimAt(q, bob, "evaluate");
    expect(taken.body.claim.taskId).toBe(id);
    expect(taken.body.task.rework).toMatchObject({ comment: "again", answers: goodAnswers, attempt: 1, round: 1 });
  });

  it("an author still on the team gets their returned work back first", async () => {
    const { q, alice, bob, reviewer, id, review } = await inReview();
    expect((await submitAs(q, reviewer, review, { verdict: "return", comment: "again" })).status).toBe(201);
    expect((await t.deps.db.task.findUniqueOrThrow({ where: { id: id } })).reworkUserId).toBe(alice.id);
    expect((await claimAt(q, bob, "evaluate")).body.error.code).toBe("queue_empty");
    expect((await mustClaim(q, alice, "evaluate")).taskId).toBe(id);
  });
});

describe("a change of role", () => {
  const patchMember = (q: QueueProject, userId: string, body: object) => client(t.url, q.owner.token).patch(`/api/projects/${q.project.id}/members/${userId}`, body);

  it("made a Viewer: their claim is revoked and the task assigned to them opens to their old type", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const [free, assigned] = await importTasks(q, [{ payload: { q: 1 } }, { payload: { q: 2 }, assignTo: { userId: alice!.id } }]);
    const held = await mustClaim(q, alice!, "evaluate", free);

    expect((await patchMember(q, alice!.id, { role: "viewer" })).status).toBe(200);
    expect((await t.deps.db.claim.findUniqueOrThrow({ where: { id: held.id } })).outcome).toBe("revoked");
    expect(events).toContainEqual(expect.objectContaining({ type: "task.released", claimId: held.id, reason: "revoked" }));
    const taken = [(await mustClaim(q, bob!, "evaluate")).taskId, (await mustClaim(q, bob!, "evaluate")).taskId];
    expect(taken.sort()).toEqual([free, assigned].sort());
    const audit = await t.deps.db.auditEntry.findFirst({ where: { orgId: q.org.id, action: "member.update" }, orderBy: { createdAt: "desc" } });
    expect(audit?.after).toMatchObject({ role: "viewer", claimsRevoked: 1, tasksReopened: 1 });
  });

  it("given another contributor type: the claim taken as the old type is revoked, work kept for them at the old type's node opens", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const [free, assigned] = await importTasks(q, [{ payload: { q: 1 } }, { payload: { q: 2 }, assignTo: { userId: alice!.id } }]);
    const held = await mustClaim(q, alice!, "evaluate", free);

    expect((await patchMember(q, alice!.id, { contributorTypeId: q.types.Reviewers!.id })).status).toBe(200);
    expect((await submitAs(q, alice!, held, { answers: goodAnswers })).body.error.code).toBe("claim_lost");
    // The node needs Evaluators, which Alice no longer is: the task assigned to her opens to them (it stays assigned to her).
    expect((await t.deps.db.task.findUniqueOrThrow({ where: { id: assigned! } })).assignedUserId).toBe(alice!.id);
    const taken = [(await mustClaim(q, bob!, "evaluate")).taskId, (await mustClaim(q, bob!, "evaluate")).taskId];
    expect(taken.sort()).toEqual([free, assigned].sort());
    const audit = await t.deps.db.auditEntry.findFirst({ where: { orgId: q.org.id, action: "member.update" }, orderBy: { createdAt: "desc" } });
    expect(audit?.after).toMatchObject({ claimsRevoked: 1, tasksReopened: 1 });
  });

  it("given another contributor type and then theirs again: the task assigned to them is theirs again", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const [assigned] = await importTasks(q, [{ payload: { q: 1 }, assignTo: { userId: alice!.id } }]);
    expect((await patchMember(q, alice!.id, { contributorTypeId: q.types.Reviewers!.id })).status).toBe(200);
    expect((await queueOf(q, bob!)).find((i) => i.key === "evaluate")).toMatchObject({ available: 1 });
    expect((await patchMember(q, alice!.id, { contributorTypeId: q.types.Evaluators!.id })).status).toBe(200);
    expect((await queueOf(q, bob!)).find((i) => i.key === "evaluate")).toMatchObject({ available: 0 });
    expect((await claimAt(q, bob!, "evaluate")).body.error.code).toBe("queue_empty");
    expect((await mustClaim(q, alice!, "evaluate")).taskId).toBe(assigned);
  });

  it("given another contributor type: work kept for them at a node any contributor may work stays theirs", async () => {
    const q = await queueProject(t.deps, t.url, {
      nodes: [
        { key: "evaluate", kind: "task", name: "Evaluate", form: evaluateForm },
        { key: "done", kind: "end", name: "Done" },
      ],
    });
    const [alice, bob] = q.types.Evaluators!.people;
    const [assigned] = await importTasks(q, [{ payload: { q: 1 }, assignTo: { userId: alice!.id } }]);
    expect((await patchMember(q, alice!.id, { contributorTypeId: q.types.Reviewers!.id })).status).toBe(200);
    expect((await t.deps.db.task.findUniqueOrThrow({ where: { id: assigned! } })).assignedUserId).toBe(alice!.id);
    expect((await claimAt(q, bob!, "evaluate")).body.error.code).toBe("queue_empty");
    expect((await mustClaim(q, alice!, "evaluate")).taskId).toBe(assigned);
  });

  it("the same type set again keeps the claim", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice] = q.types.Evaluators!.people;
    await importTasks(q, [{ payload: { q: 1 } }]);
    const held = await mustClaim(q, alice!, "evaluate");
    expect((await patchMember(q, alice!.id, { contributorTypeId: q.types.Evaluators!.id })).status).toBe(200);
    expect((await t.deps.db.claim.findUniqueOrThrow({ where: { id: held.id } })).outcome).toBe("active");
    expect((await submitAs(q, alice!, held, { answers: goodAnswers })).status).toBe(201);
  });

  it("on the People page, grants without the project free the person's work there", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const [free] = await importTasks(q, [{ payload: { q: 1 } }]);
    const held = await mustClaim(q, alice!, "evaluate", free);
    const res = await client(t.url, q.admin.token).patch(`/api/orgs/${q.org.id}/people/${alice!.id}`, { projects: [] });
    expect(res.status).toBe(200);
    expect((await t.deps.db.claim.findUniqueOrThrow({ where: { id: held.id } })).outcome).toBe("revoked");
    expect((await mustClaim(q, bob!, "evaluate")).taskId).toBe(free);
  });
});
