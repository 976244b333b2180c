// Submit and take the next (POST /api/claims/:id/submit with `next: true`): the
// submission is saved, the finished claim is settled and the next task at the
// same node is claimed, one request and one Redis call. Covers the answer's
// shape, limits (the finished claim no longer counts), every reason there is
// no next task, a review node, bad input and a Redis that lost the state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../server/src/events/bus";
import { ManualClock } from "../../server/src/infra/clock";
import { keysOf } from "../../server/src/queue/keys";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { goodAnswers, importTasks, mustClaim, queueOf, queueProject, submitAs } from "../helpers/queue";

// Monday 2026-06-15 10:00 UTC
const clock = new ManualClock("2026-06-15T10:00:00Z");
let t: TestApp;
const events: DomainEvent[] = [];
beforeAll(async () => {
  t = await startTestApp({ clock, config: { RATE_LIMIT_PER_MIN: 100_000 } });
  t.deps.bus.onAny((e) => events.push(e));
});
afterAll(() => t.close());

const activeOf = (userId: string) => t.deps.db.claim.findMany({ where: { userId, outcome: "active" } });

describe("submit and take the next", () => {
  it("saves the submission, moves the task on and answers with the next claim at the same node", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 1 }, { name: "Reviewers" }] });
    const ids = await importTasks(q, [{ payload: { n: 0 }, priority: 1 }, { payload: { n: 1 } }]);
    const alice = q.types.Evaluators!.people[0]!;
    const first = await mustClaim(q, alice, "evaluate");
    expect(first.taskId).toBe(ids[0]);

    // At her limit of one: the finished claim is settled before the next is decided.
    const res = await submitAs(q, alice, first, { answers: goodAnswers, next: true });
    expect(res.status).toBe(201);
    expect(res.body.submission).toMatchObject({ kind: "evaluation", taskId: ids[0], answers: goodAnswers });
    expect(res.body.next.claim).toMatchObject({ taskId: ids[1], nodeId: q.node("evaluate") });
    expect(res.body.next.task).toMatchObject({ id: ids[1], payload: { n: 1 }, node: { key: "evaluate" } });
    expect(res.body.nextError).toBeUndefined();

    const active = await activeOf(alice.id);
    expect(active.map((c) => c.id)).toEqual([res.body.next.claim.id]);
    expect(active[0]!.token).toBe(res.body.next.claim.token);
    // The first task waits at review; Redis holds exactly the new claim.
    const k = keysOf(q.project.id);
    expect(await t.deps.redis.hkeys(k.claim)).toEqual([ids[1]]);
    const reviewer = q.types.Reviewers!.people[0]!;
    expect((await queueOf(q, reviewer)).find((n) => n.nodeId === q.node("review"))?.available).toBe(1);
    // The submit's events leave before the next claim's.
    const order = events.filter((e) => "taskId" in e && ids.includes(e.taskId!)).map((e) => e.type);
    expect(order.slice(-3)).toEqual(["task.submitted", "task.moved", "task.claimed"]);

    // The next claim is an ordinary one: submitting it works as always.
    const second = await submitAs(q, alice, res.body.next.claim, { answers: goodAnswers });
    expect(second.status).toBe(201);
  });

  it("answers next: null with the reason when there is nothing to take, and the submission stands", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    const res = await submitAs(q, alice, c, { answers: goodAnswers, next: true });
    expect(res.status).toBe(201);
    expect(res.body.next).toBeNull();
    expect(res.body.nextError).toMatchObject({ code: "queue_empty" });
    expect(await t.deps.db.submission.count({ where: { taskId: id } })).toBe(1);
    expect(await activeOf(alice.id)).toEqual([]);
    // Redis followed the submit: the task is a reviewer's to take.
    const reviewer = q.types.Reviewers!.people[0]!;
    expect((await mustClaim(q, reviewer, "review")).taskId).toBe(id);
  });

  it("when the schedule closed meanwhile, the next claim is refused with outside_schedule", async () => {
    const q = await queueProject(t.deps, t.url, {
      lanes: [
        { name: "Evaluators", schedule: { timezone: "UTC", windows: [{ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" }], exceptions: [] } },
        { name: "Reviewers" },
      ],
    });
    const [a] = await importTasks(q, [{ payload: {} }, { payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    clock.set("2026-06-15T16:50:00Z"); // claimed in the window's last minutes, submitted after it closed, within the lease
    const c = await mustClaim(q, alice, "evaluate");
    clock.set("2026-06-15T17:00:01Z");
    try {
      const res = await submitAs(q, alice, c, { answers: goodAnswers, next: true });
      expect(res.status).toBe(201);
      expect(res.body.nextError).toMatchObject({ code: "outside_schedule", details: { opensAt: "2026-06-16T09:00:00.000Z" } });
      expect((await mustClaim(q, q.types.Reviewers!.people[0]!, "review")).taskId).toBe(a);
    } finally {
      clock.set("2026-06-15T10:00:00Z");
    }
  });

  it("takes the next review on a review node, never the reviewer's own work", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", people: 2 }, { name: "Reviewers", people: 1 }] });
    const ids = await importTasks(q, [{ payload: {} }, { payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    for (const who of [alice!, bob!]) await submitAs(q, who, await mustClaim(q, who, "evaluate"), { answers: goodAnswers });
    const rita = q.types.Reviewers!.people[0]!;
    const r1 = await mustClaim(q, rita, "review");
    const res = await submitAs(q, rita, r1, { verdict: "pass", next: true });
    expect(res.status).toBe(201);
    expect(res.body.submission).toMatchObject({ kind: "review", verdict: "pass" });
    expect(res.body.next.claim.taskId).toBe(ids.find((i) => i !== r1.taskId));
    expect(res.body.next.task.reviewed).toMatchObject({ answers: goodAnswers });
  });

  it("refuses a stale token or bad input and changes nothing", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: {} }, { payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    const stale = await submitAs(q, alice, { ...c, token: "1.not-the-token" }, { answers: goodAnswers, next: true });
    expect([stale.status, stale.body.error.code]).toEqual([409, "claim_lost"]);
    const bad = await submitAs(q, alice, c, { answers: goodAnswers, next: "yes" });
    expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_request"]);
    const wrongAnswers = await submitAs(q, alice, c, { answers: { accuracy: 9 }, next: true });
    expect(wrongAnswers.status).toBe(422);
    expect((await activeOf(alice.id)).map((x) => x.id)).toEqual([c.id]);
    expect(await t.deps.db.submission.count({ where: { projectId: q.project.id } })).toBe(0);
  });

  it("works when Redis lost the project's state: the rebuild reflects the submit, then the next is claimed", async () => {
    const q = await queueProject(t.deps, t.url);
    const ids = await importTasks(q, [{ payload: {}, priority: 1 }, { payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    const k = keysOf(q.project.id);
    // Every key of the project gone, as after a wipe: the settle finds no state (-1) and neither part runs.
    const keys = await t.deps.redis.keys(`${k.prefix}*`);
    expect(keys.length).toBeGreaterThan(3);
    await t.deps.redis.del(...keys);
    const res = await submitAs(q, alice, c, { answers: goodAnswers, next: true });
    expect(res.status).toBe(201);
    expect(res.body.next.claim.taskId).toBe(ids[1]);
    expect(await t.deps.redis.hkeys(k.claim)).toEqual([ids[1]]);
    expect((await activeOf(alice.id)).map((x) => x.id)).toEqual([res.body.next.claim.id]);
    expect(await client(t.url, q.owner.token).get(`/api/projects/${q.project.id}/claims`).then((r) => r.body.items.length)).toBe(1);
  });
});
