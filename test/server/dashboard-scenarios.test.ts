// Dashboards against real work done through the API (claims, submissions,
// reviews, releases, expiries, people leaving, projects archived and deleted)
// with the clock moved across UTC bucket edges: every answer, for every
// timeframe and at every edge, equals docs/metrics.md computed from the raw rows
// (dashboard-reference.ts), and the live counters say the same as a reload.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signToken } from "../../server/src/auth/jwt";
import { ManualClock } from "../../server/src/infra/clock";
import { dashboardCounters } from "../../server/src/modules/dashboard/counters";
import { sweepOnce } from "../../server/src/queue/sweeper";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createContributorType, type TestUser } from "../helpers/factories";
import { client } from "../helpers/http";
import { evaluateForm, goodAnswers, importTasks, queueProject, type QueueProject } from "../helpers/queue";
import { aggregatesOf } from "./dashboard.factories";
import { referenceDashboard } from "./dashboard-reference";

// Neither the server process's zone nor the database's default one may move a bucket.
process.env.TZ = "America/New_York";
const clock = new ManualClock("2027-01-04T21:00:00Z");
let t: TestApp;
beforeAll(async () => {
  const url = new URL(inject("databaseUrl"));
  url.searchParams.set("options", "-c TimeZone=Pacific/Kiritimati");
  t = await startTestApp({ clock, databaseUrl: url.toString(), config: { RATE_LIMIT_PER_MIN: 100_000 } });
});
afterAll(() => t.close());

const TIMEFRAMES = ["24h", "7d", "30d", "90d", "all"] as const;
/** A client signed at the current (manual) clock: tokens last 12 hours of it. */
const as = (u: { id: string }) => client(t.url, signToken(t.deps.jwtSecret, u.id, clock));
const at = (iso: string) => clock.set(iso);

async function claim(q: QueueProject, who: TestUser, nodeId: string, taskId?: string) {
  const r = await as(who).post(`/api/projects/${q.project.id}/claims`, { nodeId, ...(taskId ? { taskId } : {}) });
  if (r.status !== 201) throw new Error(`claim: ${r.status} ${r.text}`);
  return r.body.claim as { id: string; taskId: string; token: string };
}
async function submit(who: TestUser, c: { id: string; token: string }, body: Record<string, unknown>) {
  const r = await as(who).post(`/api/claims/${c.id}/submit`, { token: c.token, ...body });
  if (r.status !== 201) throw new Error(`submit: ${r.status} ${r.text}`);
  return r.body;
}

async function check(scope: "org" | "project", id: string, viewer: { id: string }) {
  for (const tf of TIMEFRAMES) {
    const res = await as(viewer).get(`/api/${scope === "org" ? "orgs" : "projects"}/${id}/dashboard?timeframe=${tf}`);
    expect(res.status).toBe(200);
    const want = await referenceDashboard(t.deps, scope, id, tf, clock.now());
    expect({ at: clock.now().toISOString(), tf, ...res.body }).toEqual({ at: clock.now().toISOString(), tf, ...want });
    const live = await dashboardCounters(t.deps, scope, id, tf);
    const w = res.body.widgets;
    expect({ tf, ...live }).toMatchObject({
      tf,
      submissions: w.activity.submissions.value,
      completedTasks: w.activity.completedTasks.value,
      dailyActiveSubmitters: w.activity.dailyActiveSubmitters.value,
      pipelineCompletion: w.pipelineCompletion.value,
      firstReviewPassRate: w.firstReviewPassRate.value,
      avgReviewsPerReviewNode: w.avgReviewsPerReviewNode.value,
    });
  }
  // Work in flight, from the claim engine's live state: what PostgreSQL holds.
  const where = scope === "org" ? `p."orgId" = $1` : `p.id = $1`;
  const [db] = await t.deps.db.$queryRawUnsafe<Array<{ queued: number; active: number }>>(
    `SELECT (SELECT count(*)::int FROM "Task" x JOIN "Project" p ON p.id = x."projectId" WHERE ${where} AND x.status = 'queued') AS queued,
            (SELECT count(*)::int FROM "Claim" x JOIN "Project" p ON p.id = x."projectId" WHERE ${where} AND x.outcome = 'active') AS active`,
    id,
  );
  expect(await dashboardCounters(t.deps, scope, id, "7d")).toMatchObject({ queuedTasks: db!.queued, activeClaims: db!.active });
}

describe("dashboards follow the work done through the API", () => {
  it("every timeframe at every edge equals the definitions", async () => {
    const q = await queueProject(t.deps, t.url, {
      lanes: [
        { name: "Evaluators", claimLimit: 3, people: 3 },
        { name: "Reviewers", claimLimit: 3, people: 2 },
      ],
    });
    // A second pipeline of the same project, with no review node: task → end.
    const direct = await as(q.owner).post(`/api/projects/${q.project.id}/pipelines`, {
      name: "Direct",
      nodes: [
        { key: "work", kind: "task", name: "Work", contributorTypeId: q.types.Evaluators!.id, form: evaluateForm },
        { key: "end", kind: "end", name: "End" },
      ],
    });
    expect(direct.status).toBe(201);
    const work = direct.body.nodes.find((n: { key: string }) => n.key === "work").id as string;
    const [E1, E2, E3] = q.types.Evaluators!.people as [TestUser, TestUser, TestUser];
    const [R1, R2] = q.types.Reviewers!.people as [TestUser, TestUser];
    const viewer = await addProjectMember(t.deps, q.project, "viewer");

    // Two more projects of the org where E1 and E2 also work: one later archived, one deleted.
    const P3 = await as(q.admin).post(`/api/orgs/${q.org.id}/projects`, { name: "Three" });
    const P4 = await as(q.admin).post(`/api/orgs/${q.org.id}/projects`, { name: "Four" });
    expect([P3.status, P4.status]).toEqual([201, 201]);
    const others: QueueProject[] = [];
    for (const p of [P3.body, P4.body]) {
      const type = await createContributorType(t.deps, p.id, { name: "Evaluators" });
      for (const who of [E1, E2])
        await t.deps.db.projectMember.create({ data: { projectId: p.id, userId: who.id, role: "contributor", contributorTypeId: type.id } });
      const pl = await as(q.admin).post(`/api/projects/${p.id}/pipelines`, {
        name: "Side",
        nodes: [
          { key: "evaluate", kind: "task", name: "Evaluate", contributorTypeId: type.id, form: evaluateForm },
          { key: "done", kind: "end", name: "Done" },
        ],
      });
      expect(pl.status).toBe(201);
      const pipeline = pl.body;
      others.push({ ...q, project: p, pipeline, owner: q.admin, node: (k: string) => pipeline.nodes.find((n: { key: string }) => n.key === k).id });
    }
    const [q3, q4] = others as [QueueProject, QueueProject];

    at("2027-01-04T21:00:00Z");
    const tasks = await importTasks(q, Array.from({ length: 5 }, (_, i) => ({ payload: { i } })));
    const directTasks = (await as(q.owner).post(`/api/pipelines/${direct.body.id}/tasks`, { tasks: [{ payload: {} }, { payload: {} }] })).body.taskIds;
    await importTasks(q3, [{ payload: {} }]);
    await importTasks(q4, [{ payload: {} }, { payload: {} }]);
    await check("project", q.project.id, viewer);

    // E1 submits task 0 at 21:20; E2 claims and releases; E3 lets a claim expire.
    at("2027-01-04T21:10:00Z");
    const c0 = await claim(q, E1, q.node("evaluate"), tasks[0]);
    at("2027-01-04T21:20:00Z");
    await submit(E1, c0, { answers: goodAnswers });
    const rel = await claim(q, E2, q.node("evaluate"), tasks[1]);
    expect((await as(E2).delete(`/api/claims/${rel.id}`, { token: rel.token })).status).toBe(204);
    await claim(q, E3, q.node("evaluate"), tasks[2]);
    at("2027-01-04T21:55:00Z");
    expect((await sweepOnce(t.deps, { projects: [q.project.id] })).expired).toBe(1);
    await check("project", q.project.id, viewer);

    // E2 submits task 1 at the last instant of 01-04; R1 returns task 0 at the first of 01-05.
    at("2027-01-04T23:50:00Z");
    const c1 = await claim(q, E2, q.node("evaluate"), tasks[1]);
    const r0 = await claim(q, R1, q.node("review"), tasks[0]);
    at("2027-01-04T23:59:59.999Z");
    await submit(E2, c1, { answers: goodAnswers });
    await check("project", q.project.id, viewer);
    at("2027-01-05T00:00:00.000Z");
    await submit(R1, r0, { verdict: "return", comment: "again" });
    await check("project", q.project.id, viewer);

    // E1 reworks task 0; R2 passes it (second round): completed through a review pass.
    at("2027-01-05T00:30:00Z");
    const c0b = await claim(q, E1, q.node("evaluate"), tasks[0]);
    await submit(E1, c0b, { answers: { ...goodAnswers, accuracy: 5 } });
    at("2027-01-05T01:00:00Z");
    const r0b = await claim(q, R2, q.node("review"), tasks[0]);
    await submit(R2, r0b, { verdict: "pass" });
    // R1 passes task 1 on its first review.
    at("2027-01-05T02:00:00Z");
    const r1 = await claim(q, R1, q.node("review"), tasks[1]);
    await submit(R1, r1, { verdict: "pass" });
    // E1 completes a task of the direct pipeline straight from its task node.
    at("2027-01-05T03:00:00Z");
    const d0 = await claim(q, E1, work, directTasks[0]);
    await submit(E1, d0, { answers: goodAnswers });
    // E1 and E2 work in the side projects too.
    const s3 = await claim(q3, E1, q3.node("evaluate"));
    await submit(E1, s3, { answers: goodAnswers });
    const s4 = await claim(q4, E2, q4.node("evaluate"));
    await submit(E2, s4, { answers: goodAnswers });
    at("2027-01-05T03:30:00Z");
    await check("project", q.project.id, viewer);
    await check("org", q.org.id, q.admin);

    // E2 leaves the project; P3 is archived; P4 is deleted with its tasks and history.
    expect((await as(q.owner).delete(`/api/projects/${q.project.id}/members/${E2.id}`)).status).toBe(204);
    expect((await as(q.admin).post(`/api/projects/${q3.project.id}/archive`)).status).toBe(200);
    expect((await as(q.admin).delete(`/api/projects/${q4.project.id}`)).status).toBe(204);
    await check("project", q.project.id, viewer);
    await check("org", q.org.id, q.admin);

    // The windows move on: the last instant of a day, the first of the next, a week later.
    for (const now of ["2027-01-05T23:59:59.999Z", "2027-01-06T00:00:00.000Z", "2027-01-05T20:59:59.999Z", "2027-01-05T21:00:00.000Z", "2027-01-10T23:59:59.999Z", "2027-01-11T00:00:00.000Z", "2027-02-03T00:00:00Z", "2027-04-05T00:00:00Z"]) {
      at(now);
      await check("project", q.project.id, viewer);
      await check("org", q.org.id, q.admin);
    }
  });

  it("two review nodes, a revoked claim, submit-and-next, rework that opened to others", async () => {
    at("2027-03-01T09:00:00Z");
    const base = await queueProject(t.deps, t.url, {
      lanes: [
        { name: "Evaluators", claimLimit: 3, people: 3 },
        { name: "Reviewers", claimLimit: 3, people: 2 },
      ],
    });
    const ev = base.types.Evaluators!.id;
    const rv = base.types.Reviewers!.id;
    const two = await as(base.owner).post(`/api/projects/${base.project.id}/pipelines`, {
      name: "Two checks",
      nodes: [
        { key: "label", kind: "task", name: "Label", contributorTypeId: ev, form: evaluateForm },
        { key: "check1", kind: "review", name: "Check 1", contributorTypeId: rv, reviews: "label" },
        { key: "check2", kind: "review", name: "Check 2", contributorTypeId: rv, reviews: "label" },
        { key: "end", kind: "end", name: "End" },
      ],
    });
    expect(two.status).toBe(201);
    const node = (k: string) => two.body.nodes.find((n: { key: string }) => n.key === k).id as string;
    const [E1, E2, E3] = base.types.Evaluators!.people as [TestUser, TestUser, TestUser];
    const [R1, R2] = base.types.Reviewers!.people as [TestUser, TestUser];
    const tasks = (await as(base.owner).post(`/api/pipelines/${two.body.id}/tasks`, { tasks: [{ payload: {} }, { payload: {} }, { payload: {} }] })).body
      .taskIds as string[];

    // E1 submits and takes the next in one request; an Owner revokes that next claim.
    at("2027-03-01T09:10:00Z");
    const c0 = await claim(base, E1, node("label"), tasks[0]);
    const s0 = await as(E1).post(`/api/claims/${c0.id}/submit`, { token: c0.token, answers: goodAnswers, next: true });
    expect(s0.status).toBe(201);
    expect(s0.body.next).toBeTruthy();
    expect((await as(base.owner).post(`/api/claims/${s0.body.next.claim.id}/revoke`)).status).toBe(204);
    // Check 1 passes task 0, check 2 returns it; E1 has left, so the rework opens to E2.
    at("2027-03-01T10:00:00Z");
    await submit(R1, await claim(base, R1, node("check1"), tasks[0]), { verdict: "pass" });
    await submit(R2, await claim(base, R2, node("check2"), tasks[0]), { verdict: "return", comment: "no" });
    expect((await as(base.owner).delete(`/api/projects/${base.project.id}/members/${E1.id}`)).status).toBe(204);
    at("2027-03-01T23:59:59.999Z");
    await submit(E2, await claim(base, E2, node("label"), tasks[0]), { answers: goodAnswers });
    // Both checks again (round 2 at each); check 1 now returns, then passes in round 3.
    at("2027-03-02T00:00:00.000Z");
    await submit(R1, await claim(base, R1, node("check1"), tasks[0]), { verdict: "return", comment: "hm" });
    await submit(E2, await claim(base, E2, node("label"), tasks[0]), { answers: goodAnswers });
    await submit(R2, await claim(base, R2, node("check1"), tasks[0]), { verdict: "pass" });
    await submit(R1, await claim(base, R1, node("check2"), tasks[0]), { verdict: "pass" });
    // Task 1 passes both checks on their first reviews.
    at("2027-03-02T01:00:00Z");
    await submit(E3, await claim(base, E3, node("label"), tasks[1]), { answers: goodAnswers });
    await submit(R1, await claim(base, R1, node("check1"), tasks[1]), { verdict: "pass" });
    await submit(R2, await claim(base, R2, node("check2"), tasks[1]), { verdict: "pass" });
    const viewer = await addProjectMember(t.deps, base.project, "viewer");
    for (const now of ["2027-03-02T01:30:00Z", "2027-03-02T23:59:59.999Z", "2027-03-03T00:00:00Z", "2027-03-08T00:00:00Z", "2027-03-09T00:00:00Z"]) {
      at(now);
      await check("project", base.project.id, viewer);
      await check("org", base.org.id, base.admin);
    }
    at("2027-03-03T00:00:00Z");
    const w = (await as(viewer).get(`/api/projects/${base.project.id}/dashboard?timeframe=7d`)).body.widgets;
    // Pairs: (0, check1) first review pass, (0, check2) return, (1, check1) pass, (1, check2) pass.
    expect(w.firstReviewPassRate.value).toBe(3 / 4);
    // Reviews: (0, check1) 3, (0, check2) 2, (1, ·) 1 each.
    expect(w.avgReviewsPerReviewNode.value).toBe(7 / 4);
    expect(w.pipelineCompletion).toEqual({ value: 2 / 3, completed: 2, total: 3 });
    expect(w.activity.submissions.value).toBe(4);
  });

  it("a cancelled task is out of Pipeline Completion's total and of the queue while cancelled, back in once reopened", async () => {
    at("2027-05-03T09:00:00Z");
    const q = await queueProject(t.deps, t.url, {
      lanes: [
        { name: "Evaluators", claimLimit: 3, people: 2 },
        { name: "Reviewers", claimLimit: 3, people: 1 },
      ],
    });
    const [E1, E2] = q.types.Evaluators!.people as [TestUser, TestUser];
    const [R1] = q.types.Reviewers!.people as [TestUser];
    const viewer = await addProjectMember(t.deps, q.project, "viewer");
    const tasks = await importTasks(q, Array.from({ length: 4 }, (_, i) => ({ payload: { i } })));
    const patch = async (id: string, status: "cancelled" | "queued") => {
      const r = await as(q.owner).patch(`/api/tasks/${id}`, { status });
      expect(r.status, r.text).toBe(200);
    };
    const completion = async () => (await as(viewer).get(`/api/projects/${q.project.id}/dashboard?timeframe=7d`)).body.widgets.pipelineCompletion;
    const both = async () => {
      await check("project", q.project.id, viewer);
      await check("org", q.org.id, q.admin);
    };

    at("2027-05-03T09:10:00Z");
    await submit(E1, await claim(q, E1, q.node("evaluate"), tasks[0]), { answers: goodAnswers });
    await claim(q, E2, q.node("evaluate"), tasks[1]);
    await patch(tasks[2]!, "cancelled"); // waiting
    await patch(tasks[1]!, "cancelled"); // held: the claim is revoked
    await patch(tasks[0]!, "cancelled"); // waiting for review
    expect(await completion()).toEqual({ value: 0, completed: 0, total: 1 });
    expect(await dashboardCounters(t.deps, "project", q.project.id, "7d")).toMatchObject({ queuedTasks: 1, activeClaims: 0 });
    await both();

    at("2027-05-03T10:00:00Z");
    await patch(tasks[0]!, "queued");
    await patch(tasks[2]!, "queued");
    await submit(R1, await claim(q, R1, q.node("review"), tasks[0]), { verdict: "pass" });
    expect(await completion()).toEqual({ value: 1 / 3, completed: 1, total: 3 });
    await both();

    at("2027-05-04T00:00:00Z");
    await patch(tasks[1]!, "queued");
    expect(await completion()).toEqual({ value: 1 / 4, completed: 1, total: 4 });
    expect(await dashboardCounters(t.deps, "org", q.org.id, "7d")).toMatchObject({ queuedTasks: 3, activeClaims: 0 });
    await both();
    // The aggregates the triggers kept are what a rebuild from the raw rows computes.
    const before = await aggregatesOf(t.deps, q.org.id);
    await t.deps.db.$executeRawUnsafe(`SELECT dashboard_rebuild($1)`, q.org.id);
    expect(await aggregatesOf(t.deps, q.org.id)).toEqual(before);
  });
});
