// Claiming over HTTP: order, eligibility (assignment, type), limits, pool,
// schedules, the queue view's reasons before trying, answers checked against
// the form, and the refusals of the bad-input list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../server/src/events/bus";
import { ManualClock } from "../../server/src/infra/clock";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember } from "../helpers/factories";
import { client } from "../helpers/http";
import { claimAt, evaluateForm, goodAnswers, importTasks, mustClaim, queueOf, queueProject, submitAs } from "../helpers/queue";

// Monday 2026-06-15 10:00 UTC
const clock = new ManualClock("2026-06-15T10:00:00Z");
let t: TestApp;
const events: DomainEvent[] = [];
beforeAll(async () => {
  t = await startTestApp({ clock, config: { RATE_LIMIT_PER_MIN: 100_000 } });
  t.deps.bus.onAny((e) => events.push(e));
});
afterAll(() => t.close());

describe("claim next", () => {
  it("serves the highest priority first, then the oldest, and records a fencing token", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 10 }, { name: "Reviewers" }] });
    const ids = await importTasks(q, [{ payload: { n: 0 } }, { payload: { n: 1 }, priority: 2 }, { payload: { n: 2 } }, { payload: { n: 3 }, priority: 2 }]);
    const alice = q.types.Evaluators!.people[0]!;
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await mustClaim(q, alice, "evaluate")).taskId);
    expect(order).toEqual([ids[1], ids[3], ids[0], ids[2]]);

    const res = await claimAt(q, alice, "evaluate");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("queue_empty");
    const rows = await t.deps.db.claim.findMany({ where: { taskId: { in: ids } } });
    expect(rows.every((c) => c.outcome === "active" && c.epoch === 1 && c.token.startsWith("1."))).toBe(true);
  });

  it("answers with the task, its payload and the node's form; publishes task.claimed after the write", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: { input: "Where is my order?", output: "It ships today." } }]);
    const alice = q.types.Evaluators!.people[0]!;
    const res = await claimAt(q, alice, "evaluate");
    expect(res.status).toBe(201);
    expect(res.body.claim).toMatchObject({ taskId: id, nodeId: q.node("evaluate"), expiresAt: "2026-06-15T10:30:00.000Z" });
    expect(res.body.task).toMatchObject({ id, payload: { input: "Where is my order?" }, node: { key: "evaluate", kind: "task" }, reviewed: null });
    expect(res.body.task.node.form.criteria.map((c: { key: string }) => c.key)).toEqual(["accuracy", "helpful", "tone", "notes"]);
    const e = events.find((x) => x.type === "task.claimed" && x.taskId === id);
    expect(e).toMatchObject({ claimId: res.body.claim.id, userId: alice.id, nodeId: q.node("evaluate"), orgId: q.org.id });
    const again = await client(t.url, alice.token).get(`/api/claims/${res.body.claim.id}`);
    expect(again.body).toEqual(res.body);
  });

  it("claims a given task, and refuses one that is taken, elsewhere or missing", async () => {
    const q = await queueProject(t.deps, t.url);
    const other = await queueProject(t.deps, t.url);
    const [a, b] = await importTasks(q, [{ payload: {} }, { payload: {} }]);
    const [foreign] = await importTasks(other, [{ payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    expect((await mustClaim(q, alice!, "evaluate", b)).taskId).toBe(b);
    const taken = await claimAt(q, bob!, "evaluate", b);
    expect([taken.status, taken.body.error.code]).toEqual([409, "task_unavailable"]);
    const wrongNode = await client(t.url, q.types.Reviewers!.people[0]!.token).post(`/api/projects/${q.project.id}/claims`, { nodeId: q.node("review"), taskId: a });
    expect([wrongNode.status, wrongNode.body.error.code]).toEqual([409, "task_unavailable"]);
    const otherOrg = await claimAt(q, bob!, "evaluate", foreign);
    expect([otherOrg.status, otherOrg.body.error.code]).toEqual([404, "not_found"]);
  });
});

describe("who may claim what", () => {
  it("gives a task assigned to a person only to them, and one assigned to a type only to its members", async () => {
    const q = await queueProject(t.deps, t.url, { nodes: undefined });
    const generalists = await t.deps.db.contributorType.create({ data: { projectId: q.project.id, name: "Generalists", claimLimit: 5 } });
    const gil = await addProjectMember(t.deps, q.project, "contributor", generalists.id, "gil");
    // a pipeline whose task node any type may work
    const open = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/pipelines`, {
      name: "Open",
      nodes: [{ key: "rate", kind: "task", name: "Rate", form: { criteria: [{ key: "ok", label: "OK", kind: "boolean", required: true }] } }, { key: "end", kind: "end", name: "End" }],
    });
    const rate = open.body.nodes[0].id;
    const [alice, bob] = q.types.Evaluators!.people;
    const imported = await client(t.url, q.owner.token).post(`/api/pipelines/${open.body.id}/tasks`, {
      tasks: [{ payload: { for: "alice" }, assignTo: { userId: alice!.id } }, { payload: { for: "evaluators" }, assignTo: { contributorTypeId: q.types.Evaluators!.id } }],
    });
    const [forAlice, forEvaluators] = imported.body.taskIds;
    const claimRate = (who: { token: string }, taskId?: string) => client(t.url, who.token).post(`/api/projects/${q.project.id}/claims`, { nodeId: rate, ...(taskId ? { taskId } : {}) });

    expect((await claimRate(gil)).body.error.code).toBe("queue_empty");
    expect((await claimRate(gil, forEvaluators)).body.error.code).toBe("task_unavailable");
    expect((await claimRate(bob!, forAlice)).body.error.code).toBe("task_unavailable");
    expect((await claimRate(bob!)).body.claim.taskId).toBe(forEvaluators);
    expect((await claimRate(bob!)).body.error.code).toBe("queue_empty");
    expect((await claimRate(alice!)).body.claim.taskId).toBe(forAlice);
  });

  it("answers 403 wrong_contributor_type for a node of another type, and hides it from the queue view", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: {} }]);
    const rita = q.types.Reviewers!.people[0]!;
    const res = await claimAt(q, rita, "evaluate");
    expect([res.status, res.body.error.code]).toEqual([403, "wrong_contributor_type"]);
    expect((await queueOf(q, rita)).map((i) => i.key)).toEqual(["review"]);
    expect((await queueOf(q, q.types.Evaluators!.people[0]!)).map((i) => i.key)).toEqual(["evaluate"]);
  });

  it("names each queue node's pipeline, so nodes of one name in two pipelines can be told apart", async () => {
    const q = await queueProject(t.deps, t.url);
    const alice = q.types.Evaluators!.people[0]!;
    const nodes = [{ key: "evaluate", kind: "task", name: "Evaluate", contributorTypeId: q.types.Evaluators!.id, form: evaluateForm }, { key: "done", kind: "end", name: "Done" }];
    expect((await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/pipelines`, { name: "Second pass", nodes })).status).toBe(201);
    const evaluate = (await queueOf(q, alice)).filter((i) => i.name === "Evaluate");
    expect(evaluate.map((i) => i.pipelineName)).toEqual(["Agent evals", "Second pass"]);
  });

  it("answers 404 for an unknown node and for a node of another project, 403 for a non-contributor", async () => {
    const q = await queueProject(t.deps, t.url);
    const other = await queueProject(t.deps, t.url);
    const alice = q.types.Evaluators!.people[0]!;
    const c = client(t.url, alice.token);
    expect((await c.post(`/api/projects/${q.project.id}/claims`, { nodeId: "no-such-node" })).status).toBe(404);
    expect((await c.post(`/api/projects/${q.project.id}/claims`, { nodeId: other.node("evaluate") })).status).toBe(404);
    expect((await c.post(`/api/projects/${other.project.id}/claims`, { nodeId: other.node("evaluate") })).status).toBe(404);
    expect((await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/claims`, { nodeId: q.node("evaluate") })).status).toBe(403);
    expect((await c.post(`/api/projects/${q.project.id}/claims`, { nodeId: q.node("done") })).status).toBe(400);
  });

  it("refuses claims in an archived project", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: {} }]);
    const admin = client(t.url, q.admin.token);
    expect((await admin.post(`/api/projects/${q.project.id}/archive`)).status).toBe(200);
    // Archiving again answers the same and records nothing more.
    const again = await admin.post(`/api/projects/${q.project.id}/archive`);
    expect([again.status, again.body.status]).toEqual([200, "archived"]);
    expect(await t.deps.db.auditEntry.count({ where: { resourceId: q.project.id, action: "project.archive" } })).toBe(1);
    const alice = q.types.Evaluators!.people[0]!;
    const res = await claimAt(q, alice, "evaluate");
    expect([res.status, res.body.error.code]).toEqual([409, "project_archived"]);
    expect((await queueOf(q, alice))[0]).toMatchObject({ canClaim: false, reason: "project_archived" });
  });
});

describe("limits and schedules, and the queue view saying so first", () => {
  it("stops a contributor at their type's claim limit", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 2 }, { name: "Reviewers" }] });
    await importTasks(q, [{ payload: {} }, { payload: {} }, { payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    expect((await queueOf(q, alice))[0]).toMatchObject({ available: 3, canClaim: true, myClaims: [] });
    const first = await mustClaim(q, alice, "evaluate");
    const second = await mustClaim(q, alice, "evaluate");
    const view = (await queueOf(q, alice))[0]!;
    expect(view).toMatchObject({ available: 1, canClaim: false, reason: "claim_limit_reached" });
    // Her claims as the claims answered them.
    const held = (c: typeof first) => ({ id: c.id, taskId: c.taskId, token: c.token, expiresAt: c.expiresAt });
    expect(view.myClaims).toHaveLength(2);
    expect(view.myClaims).toEqual(expect.arrayContaining([held(first), held(second)]));
    const res = await claimAt(q, alice, "evaluate");
    expect([res.status, res.body.error.code]).toEqual([409, "claim_limit_reached"]);
    expect((await submitAs(q, alice, first, { answers: goodAnswers })).status).toBe(201);
    expect((await queueOf(q, alice))[0]).toMatchObject({ available: 1, canClaim: true });
  });

  it("stops a type at its pool limit, whoever asks", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 5, poolLimit: 2, people: 3 }, { name: "Reviewers" }] });
    await importTasks(q, Array.from({ length: 5 }, () => ({ payload: {} })));
    const [a, b, c] = q.types.Evaluators!.people;
    await mustClaim(q, a!, "evaluate");
    await mustClaim(q, b!, "evaluate");
    expect((await queueOf(q, c!))[0]).toMatchObject({ canClaim: false, reason: "pool_limit_reached", available: 3 });
    const res = await claimAt(q, c!, "evaluate");
    expect([res.status, res.body.error.code]).toEqual([409, "pool_limit_reached"]);
  });

  it("applies a lowered limit at once", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 5 }, { name: "Reviewers" }] });
    await importTasks(q, [{ payload: {} }, { payload: {} }, { payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    await mustClaim(q, alice, "evaluate");
    const patched = await client(t.url, q.owner.token).patch(`/api/projects/${q.project.id}/contributor-types/${q.types.Evaluators!.id}`, { claimLimit: 1 });
    expect(patched.status).toBe(200);
    expect((await claimAt(q, alice, "evaluate")).body.error.code).toBe("claim_limit_reached");
  });

  it("refuses outside the type's schedule with the next opening, and allows inside it", async () => {
    // Weekdays 09:00–17:00 in New York; the clock says Monday 10:00 UTC = 06:00 there.
    const schedule = { timezone: "America/New_York", windows: [{ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" }], exceptions: [] };
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", schedule }, { name: "Reviewers" }] });
    await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    expect((await queueOf(q, alice))[0]).toMatchObject({ canClaim: false, reason: "outside_schedule", opensAt: "2026-06-15T13:00:00.000Z" });
    const res = await claimAt(q, alice, "evaluate");
    expect([res.status, res.body.error.code, res.body.error.details]).toEqual([409, "outside_schedule", { opensAt: "2026-06-15T13:00:00.000Z" }]);
    const saved = clock.now();
    clock.set("2026-06-15T13:00:00Z");
    try {
      // Open: the queue view names when it closes (17:00 in New York), so a page can read it again then.
      expect((await queueOf(q, alice))[0]).toMatchObject({ canClaim: true, closesAt: "2026-06-15T21:00:00.000Z" });
      expect((await queueOf(q, alice))[0]!.opensAt).toBeUndefined();
      expect((await claimAt(q, alice, "evaluate")).status).toBe(201);
    } finally {
      clock.set(saved);
    }
  });

  it("says which contributor type the caller works as and its claim limit; with none, one claim at a time", async () => {
    const nodes = [
      { key: "evaluate", kind: "task", name: "Evaluate", form: evaluateForm },
      { key: "done", kind: "end", name: "Done" },
    ];
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 2 }], nodes });
    await importTasks(q, [{ payload: {} }, { payload: {} }, { payload: {} }]);
    const typed = q.types.Evaluators!.people[0]!;
    const untyped = await addProjectMember(t.deps, q.project, "contributor", null, "untyped");
    const view = (who: typeof typed) => client(t.url, who.token).get(`/api/projects/${q.project.id}/queue`);

    expect((await view(typed)).body).toMatchObject({ contributorType: { id: q.types.Evaluators!.id, name: "Evaluators" }, claimLimit: 2 });
    const before = (await view(untyped)).body;
    expect(before).toMatchObject({ contributorType: null, claimLimit: 1 });
    expect(before.items[0]).toMatchObject({ canClaim: true, available: 3 });
    await mustClaim(q, untyped, "evaluate");
    expect((await view(untyped)).body.items[0]).toMatchObject({ canClaim: false, reason: "claim_limit_reached" });
    expect((await claimAt(q, untyped, "evaluate")).body.error.code).toBe("claim_limit_reached");
  });
});

describe("submitting", () => {
  it("answers 422 invalid_answers naming every offending key, and writes nothing", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    const res = await submitAs(q, alice, c, { answers: { accuracy: 9, tone: "rude", notes: 5, extra: 1 } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("invalid_answers");
    expect(res.body.error.details.keys.sort()).toEqual(["accuracy", "extra", "helpful", "notes", "tone"]);
    expect(res.body.error.details.problems).toMatchObject({ helpful: "required", extra: "unknown criterion" });
    expect(await t.deps.db.submission.count({ where: { taskId: id } })).toBe(0);
    expect((await t.deps.db.claim.findUniqueOrThrow({ where: { id: c.id } })).outcome).toBe("active");
    const ok = await submitAs(q, alice, c, { answers: { ...goodAnswers, tone: "formal", notes: "Clear and right." } });
    expect(ok.status).toBe(201);
    expect(ok.body.submission).toMatchObject({ kind: "evaluation", taskId: id, attempt: 1, answers: { accuracy: 4, helpful: true, tone: "formal" } });
  });

  it("refuses a verdict on a task node and someone else's claim", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const c = await mustClaim(q, alice!, "evaluate");
    expect((await submitAs(q, alice!, c, { verdict: "pass" })).status).toBe(400);
    expect((await submitAs(q, bob!, c, { answers: goodAnswers })).status).toBe(403);
    expect((await client(t.url, bob!.token).get(`/api/claims/${c.id}`)).status).toBe(403);
  });

  it("moves the task to the review node and lists it in the author's submissions", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    const res = await submitAs(q, alice, c, { answers: goodAnswers });
    expect(await t.deps.db.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "queued", nodeId: q.node("review") });
    expect(events.filter((e) => "taskId" in e && e.taskId === id).map((e) => e.type)).toEqual(["task.claimed", "task.submitted", "task.moved"]);
    const mine = await client(t.url, alice.token).get("/api/me/submissions");
    expect(mine.body.items[0]).toMatchObject({ id: res.body.submission.id, taskId: id, attempt: 1, review: null });
    expect((await queueOf(q, q.types.Reviewers!.people[0]!))[0]).toMatchObject({ key: "review", available: 1 });
  });
});

describe("releasing", () => {
  it("puts the task back for the next claimer, and the token stops working", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const c = await mustClaim(q, alice!, "evaluate");
    expect((await client(t.url, alice!.token).delete(`/api/claims/${c.id}`, { token: "1.wrong" })).body.error.code).toBe("claim_lost");
    expect((await client(t.url, alice!.token).delete(`/api/claims/${c.id}`, { token: c.token })).status).toBe(204);
    expect((await submitAs(q, alice!, c, { answers: goodAnswers })).body.error.code).toBe("claim_lost");
    const again = await mustClaim(q, bob!, "evaluate");
    expect(again.taskId).toBe(id);
    expect(again.token.startsWith("2.")).toBe(true);
    expect(events.some((e) => e.type === "task.released" && e.claimId === c.id && e.reason === "released")).toBe(true);
  });
});
