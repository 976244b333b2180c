// Live dashboards through the whole product path: a contributor claims and
// submits over HTTP, a reviewer passes the task, and the counters of the open
// project and org dashboards move over the socket (pushed by the realtime layer
// after each commit, read from the aggregates the triggers just updated), with
// the same values the HTTP dashboard answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rooms } from "../../server/src/shared/socket-events";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { goodAnswers, importTasks, mustClaim, queueProject, submitAs } from "../helpers/queue";
import { connect } from "../helpers/socket";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workers: true, config: { RATE_LIMIT_PER_MIN: 100_000 } });
});
afterAll(() => t.close());

type Counters = Record<string, number | null>;

describe("live dashboard counters", () => {
  it("a claim, a submission and a passing review move the open dashboards", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }]);
    const [evaluator] = q.types.Evaluators!.people;
    const [reviewer] = q.types.Reviewers!.people;

    const watcher = await connect(t.url, q.admin.token);
    const projectRoom = rooms.projectDashboard(q.project.id);
    expect(await watcher.subscribe(projectRoom, "24h")).toEqual({ ok: true });
    expect(await watcher.subscribe(rooms.orgDashboard(q.org.id), "7d")).toEqual({ ok: true });
    const project = (match: (c: Counters) => boolean) =>
      watcher.waitFor("dashboard:counters", (e) => e.scope === "project" && match(e.counters)).then((e) => e.counters);
    const org = (match: (c: Counters) => boolean) => watcher.waitFor("dashboard:counters", (e) => e.scope === "org" && match(e.counters)).then((e) => e.counters);

    // The state on subscribe: two tasks waiting, nothing done yet.
    expect(await project(() => true)).toEqual({
      submissions: 0,
      completedTasks: 0,
      dailyActiveSubmitters: 0,
      pipelineCompletion: 0,
      firstReviewPassRate: null,
      avgReviewsPerReviewNode: null,
      activeClaims: 0,
      queuedTasks: 2,
    });

    const held = await mustClaim(q, evaluator!, "evaluate");
    await project((c) => c.activeClaims === 1 && c.queuedTasks === 1);

    expect((await submitAs(q, evaluator!, held, { answers: goodAnswers })).status).toBe(201);
    // One task waits at the review node now, the other still at evaluate.
    expect(await project((c) => c.submissions === 1)).toMatchObject({ dailyActiveSubmitters: 1, activeClaims: 0, queuedTasks: 2 });
    await org((c) => c.submissions === 1);

    const review = await mustClaim(q, reviewer!, "review");
    expect((await submitAs(q, reviewer!, review, { verdict: "pass" })).status).toBe(201);
    expect(await project((c) => c.completedTasks === 1)).toMatchObject({
      submissions: 1,
      pipelineCompletion: 0.5,
      firstReviewPassRate: 1,
      avgReviewsPerReviewNode: 1,
      queuedTasks: 1,
    });
    expect(await org((c) => c.completedTasks === 1)).toMatchObject({ submissions: 1, firstReviewPassRate: 1 });

    // The HTTP dashboard says the same.
    const http = (await client(t.url, q.admin.token).get(`/api/projects/${q.project.id}/dashboard?timeframe=24h`)).body.widgets;
    expect(http.activity.submissions.value).toBe(1);
    expect(http.activity.completedTasks.value).toBe(1);
    expect(http.firstReviewPassRate.value).toBe(1);
    expect(http.pipelineCompletion).toEqual({ value: 0.5, completed: 1, total: 2 });
    watcher.close();
  });

  it("a cancel takes the task out of the completion's total and the queue, live; a reopen puts it back", async () => {
    const q = await queueProject(t.deps, t.url);
    const ids = await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    const [evaluator] = q.types.Evaluators!.people;
    const [reviewer] = q.types.Reviewers!.people;
    expect((await submitAs(q, evaluator!, await mustClaim(q, evaluator!, "evaluate", ids[0]), { answers: goodAnswers })).status).toBe(201);
    expect((await submitAs(q, reviewer!, await mustClaim(q, reviewer!, "review"), { verdict: "pass" })).status).toBe(201);
    const watcher = await connect(t.url, q.admin.token);
    expect(await watcher.subscribe(rooms.projectDashboard(q.project.id), "24h")).toEqual({ ok: true });
    expect(await watcher.subscribe(rooms.orgDashboard(q.org.id), "7d")).toEqual({ ok: true });
    const seen = (scope: string, match: (c: Counters) => boolean) =>
      watcher.waitFor("dashboard:counters", (e) => e.scope === scope && match(e.counters)).then((e) => e.counters);
    expect(await seen("project", () => true)).toMatchObject({ pipelineCompletion: 1 / 3, queuedTasks: 2 });

    const owner = client(t.url, q.owner.token);
    expect((await owner.patch(`/api/tasks/${ids[1]}`, { status: "cancelled" })).status).toBe(200);
    expect(await seen("project", (c) => c.queuedTasks === 1)).toMatchObject({ pipelineCompletion: 0.5 });
    expect(await seen("org", (c) => c.queuedTasks === 1)).toMatchObject({ pipelineCompletion: 0.5 });
    expect((await owner.patch(`/api/tasks/${ids[1]}`, { status: "queued" })).status).toBe(200);
    expect(await seen("project", (c) => c.queuedTasks === 2)).toMatchObject({ pipelineCompletion: 1 / 3 });
    watcher.close();
  });

  it("the org's queue counter leaves out an archived project's waiting tasks, and takes them back when it is restored", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    const [evaluator] = q.types.Evaluators!.people;
    await mustClaim(q, evaluator!, "evaluate");
    const watcher = await connect(t.url, q.admin.token);
    expect(await watcher.subscribe(rooms.orgDashboard(q.org.id), "24h")).toEqual({ ok: true });
    const org = (match: (c: Counters) => boolean) => watcher.waitFor("dashboard:counters", (e) => e.scope === "org" && match(e.counters)).then((e) => e.counters);
    expect(await org(() => true)).toMatchObject({ queuedTasks: 2, activeClaims: 1 });

    const admin = client(t.url, q.admin.token);
    expect((await admin.post(`/api/projects/${q.project.id}/archive`, {})).status).toBe(200);
    // Its claim may still be finished: still being worked on.
    expect(await org((c) => c.queuedTasks === 0)).toMatchObject({ activeClaims: 1 });
    expect((await admin.post(`/api/projects/${q.project.id}/restore`, {})).status).toBe(200);
    expect(await org((c) => c.queuedTasks === 2)).toMatchObject({ activeClaims: 1 });
    watcher.close();
  });
});
