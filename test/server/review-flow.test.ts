// Review flow over HTTP: a submission goes to its review node; nobody reviews
// their own submission; `return` sends the task back to its author (and only
// them) with the comment; the resubmission counts as attempt 2 and the next
// review as round 2; `pass` moves on until the end node completes the task.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../server/src/events/bus";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { claimAt, evaluateForm, goodAnswers, importTasks, mustClaim, queueOf, queueProject, submitAs } from "../helpers/queue";

let t: TestApp;
const events: DomainEvent[] = [];
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
  t.deps.bus.onAny((e) => events.push(e));
});
afterAll(() => t.close());

// One type works both nodes, so the author could reach their own review if allowed.
const sameTypeProject = () =>
  queueProject(t.deps, t.url, {
    lanes: [{ name: "Evaluators", claimLimit: 5, people: 3 }],
    nodes: [
      { key: "evaluate", kind: "task", name: "Evaluate", form: evaluateForm },
      { key: "review", kind: "review", name: "Review", reviews: "evaluate" },
      { key: "done", kind: "end", name: "Done" },
    ],
  });

describe("the review flow", () => {
  it("never offers an author their own submission for review", async () => {
    const q = await sameTypeProject();
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    expect((await submitAs(q, alice!, await mustClaim(q, alice!, "evaluate"), { answers: goodAnswers })).status).toBe(201);
    expect((await queueOf(q, alice!)).find((i) => i.key === "review")).toMatchObject({ available: 0, canClaim: false, reason: "queue_empty" });
    expect((await queueOf(q, bob!)).find((i) => i.key === "review")).toMatchObject({ available: 1, canClaim: true });
    expect((await claimAt(q, alice!, "review")).body.error.code).toBe("queue_empty");
    expect((await claimAt(q, alice!, "review", id)).body.error.code).toBe("task_unavailable");
    expect((await mustClaim(q, bob!, "review")).taskId).toBe(id);
  });

  it("skips the reviewer's own submissions and serves the next one in order", async () => {
    const q = await sameTypeProject();
    const ids = await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    const [alice, bob] = q.types.Evaluators!.people;
    for (const who of [alice!, alice!, bob!]) expect((await submitAs(q, who, await mustClaim(q, who, "evaluate"), { answers: goodAnswers })).status).toBe(201);
    // alice wrote tasks 1 and 2; the only one she may review is 3
    expect((await mustClaim(q, alice!, "review")).taskId).toBe(ids[2]);
    expect((await mustClaim(q, bob!, "review")).taskId).toBe(ids[0]);
  });

  it("returns to the author with the comment, counts attempts and rounds, then passes to the end", async () => {
    const q = await sameTypeProject();
    const [id] = await importTasks(q, [{ payload: { input: "Refund?" } }]);
    const [alice, bob, carol] = q.types.Evaluators!.people;

    const firstClaim = await claimAt(q, alice!, "evaluate");
    expect(firstClaim.body.task.rework).toBeNull();
    const first = await submitAs(q, alice!, firstClaim.body.claim, { answers: { accuracy: 2, helpful: false } });
    expect(first.body.submission.attempt).toBe(1);

    const review1 = await claimAt(q, bob!, "review");
    expect(review1.status).toBe(201);
    expect(review1.body.task.reviewed).toMatchObject({ submissionId: first.body.submission.id, attempt: 1, answers: { accuracy: 2, helpful: false }, node: { key: "evaluate" } });
    expect(JSON.stringify(review1.body)).not.toContain(alice!.id);
    const returned = await submitAs(q, bob!, review1.body.claim, { verdict: "return", comment: "Check the refund policy." });
    expect(returned.body.submission).toMatchObject({ kind: "review", verdict: "return", round: 1, comment: "Check the refund policy.", submissionId: first.body.submission.id });
    expect(await t.deps.db.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ nodeId: q.node("evaluate"), status: "queued", reworkUserId: alice!.id });
    expect(events.find((e) => e.type === "task.reviewed" && e.taskId === id)).toMatchObject({ verdict: "return", authorId: alice!.id, userId: bob!.id });
    expect(events.find((e) => e.type === "task.moved" && e.taskId === id && e.fromNodeId === q.node("review"))).toMatchObject({ nodeId: q.node("evaluate") });

    // The rework is reserved for its author.
    expect((await claimAt(q, carol!, "evaluate")).body.error.code).toBe("queue_empty");
    expect((await claimAt(q, bob!, "evaluate", id)).body.error.code).toBe("task_unavailable");
    expect((await queueOf(q, alice!)).find((i) => i.key === "evaluate")!.available).toBe(1);
    // Her claim carries the reviewer's word and the answers returned, as does reading it again.
    const reclaimed = await claimAt(q, alice!, "evaluate");
    const rework = { answers: { accuracy: 2, helpful: false }, attempt: 1, comment: "Check the refund policy.", round: 1, returnedAt: expect.any(String) };
    expect(reclaimed.body.task.rework).toEqual(rework);
    const again = reclaimed.body.claim;
    expect(again.taskId).toBe(id);
    expect((await client(t.url, alice!.token).get(`/api/claims/${again.id}`)).body.task.rework).toEqual(rework);
    const second = await submitAs(q, alice!, again, { answers: { accuracy: 5, helpful: true } });
    expect(second.body.submission.attempt).toBe(2);
    expect((await t.deps.db.task.findUniqueOrThrow({ where: { id } })).reworkUserId).toBeNull();

    expect((await claimAt(q, alice!, "review")).body.error.code).toBe("queue_empty");
    const review2 = await claimAt(q, carol!, "review");
    expect(review2.body.task.reviewed).toMatchObject({ submissionId: second.body.submission.id, attempt: 2 });
    const passed = await submitAs(q, carol!, review2.body.claim, { verdict: "pass" });
    expect(passed.body.submission).toMatchObject({ verdict: "pass", round: 2 });

    const task = await t.deps.db.task.findUniqueOrThrow({ where: { id } });
    expect(task).toMatchObject({ status: "completed", nodeId: q.node("done") });
    expect(task.completedAt).not.toBeNull();
    expect(events.some((e) => e.type === "task.completed" && e.taskId === id && e.nodeId === q.node("done"))).toBe(true);
    const reviews = await t.deps.db.review.findMany({ where: { taskId: id }, orderBy: { round: "asc" } });
    expect(reviews.map((r) => [r.round, r.verdict, r.userId])).toEqual([[1, "return", bob!.id], [2, "pass", carol!.id]]);

    const detail = (await client(t.url, q.owner.token).get(`/api/tasks/${id}`)).body;
    expect(detail.history.map((h: { type: string }) => h.type)).toEqual([
      "imported", "claimed", "submitted", "moved", "claimed", "reviewed", "returned",
      "claimed", "submitted", "moved", "claimed", "reviewed", "completed",
    ]);
    const mine = (await client(t.url, alice!.token).get("/api/me/submissions")).body.items;
    expect(mine.map((s: { attempt: number; review: { verdict: string } }) => [s.attempt, s.review.verdict])).toEqual([[2, "pass"], [1, "return"]]);
  });

  it("passes through two stages with different types to the end", async () => {
    const q = await queueProject(t.deps, t.url, {
      lanes: [{ name: "Evaluators", people: 1 }, { name: "Reviewers", people: 1 }, { name: "Editors", people: 1 }],
    });
    const types = q.types;
    const res = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/pipelines`, {
      name: "Two stages",
      nodes: [
        { key: "rate", kind: "task", name: "Rate", contributorTypeId: types.Evaluators!.id, form: evaluateForm },
        { key: "check", kind: "review", name: "Check", contributorTypeId: types.Reviewers!.id, reviews: "rate" },
        { key: "edit", kind: "task", name: "Edit", contributorTypeId: types.Editors!.id, form: { criteria: [{ key: "final", label: "Final", kind: "text", required: true }] } },
        { key: "approve", kind: "review", name: "Approve", contributorTypeId: types.Reviewers!.id, reviews: "edit" },
        { key: "end", kind: "end", name: "End" },
      ],
    });
    const nodes = Object.fromEntries(res.body.nodes.map((n: { key: string; id: string }) => [n.key, n.id]));
    const [id] = (await client(t.url, q.owner.token).post(`/api/pipelines/${res.body.id}/tasks`, { tasks: [{ payload: {} }] })).body.taskIds;
    const step = async (who: { token: string }, node: string, body: Record<string, unknown>) => {
      const c = await client(t.url, who.token).post(`/api/projects/${q.project.id}/claims`, { nodeId: nodes[node] });
      expect(c.status).toBe(201);
      const s = await client(t.url, who.token).post(`/api/claims/${c.body.claim.id}/submit`, { token: c.body.claim.token, ...body });
      expect(s.status).toBe(201);
      return c.body;
    };
    await step(types.Evaluators!.people[0]!, "rate", { answers: goodAnswers });
    await step(types.Reviewers!.people[0]!, "check", { verdict: "pass" });
    await step(types.Editors!.people[0]!, "edit", { answers: { final: "Approved text" } });
    const approve = await step(types.Reviewers!.people[0]!, "approve", { verdict: "pass" });
    expect(approve.task.reviewed).toMatchObject({ answers: { final: "Approved text" }, node: { key: "edit" } });
    expect(await t.deps.db.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "completed", nodeId: nodes.end });
  });
});
