// Every dashboard metric against a small dataset computed by hand (docs/metrics.md
// holds the definitions). "Now" is 2026-03-15 10:30 UTC: the 7d window is the
// UTC days 03-09 … 03-15 and its previous period 03-02 … 03-08; the 24h window is
// the hours 03-14 11:00 … 03-15 10:00 and its previous period the 24 hours before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { dashboardCounters } from "../../server/src/modules/dashboard/counters";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createOrg } from "../helpers/factories";
import { client } from "../helpers/http";
import { addReview, addSubmission, addTask, completeTask, dashPipeline } from "./dashboard.factories";

const clock = new ManualClock("2026-03-15T10:30:00Z");
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

const days = (from: string, values: Array<number | null>) =>
  values.map((v, i) => ({ t: new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString(), v }));

/**
 * Project P (pipeline label → check → end, and one without a review node) and
 * project Q, in one org. A and B contribute to P; A also once to Q; C only in
 * the previous period.
 */
async function dataset() {
  const { org, admin } = await createOrg(t.deps);
  const P = await t.deps.db.project.create({ data: { orgId: org.id, name: "P", createdAt: new Date("2026-03-01T08:00:00Z") } });
  const Q = await t.deps.db.project.create({
    data: { orgId: org.id, name: "Q", status: "archived", createdAt: new Date("2026-03-12T08:00:00Z") },
  });
  const A = await addProjectMember(t.deps, P, "contributor", null, "A");
  const B = await addProjectMember(t.deps, P, "contributor", null, "B");
  const C = await addProjectMember(t.deps, P, "contributor", null, "C");
  await t.deps.db.projectMember.create({ data: { projectId: Q.id, userId: A.id, role: "contributor" } });
  const viewer = await addProjectMember(t.deps, P, "viewer");
  const p = await dashPipeline(t.deps, P);
  const bare = await dashPipeline(t.deps, P, { review: false });
  const q = await dashPipeline(t.deps, Q);

  // Previous period: C's task, passed on its first review.
  const T5 = await addTask(t.deps, p, "2026-03-05T10:00:00Z");
  await addSubmission(t.deps, p, T5.id, C.id, "2026-03-05T11:00:00Z");
  await addReview(t.deps, p, T5.id, 1, "pass", "2026-03-06T09:00:00Z");
  await completeTask(t.deps, p, T5.id, "2026-03-06T10:00:00Z");

  // T1: returned, reworked, then passed: not a first-review pass, two reviews.
  const T1 = await addTask(t.deps, p, "2026-03-10T09:00:00Z");
  await addSubmission(t.deps, p, T1.id, A.id, "2026-03-10T10:00:00Z");
  await addReview(t.deps, p, T1.id, 1, "return", "2026-03-10T16:00:00Z");
  await addSubmission(t.deps, p, T1.id, A.id, "2026-03-11T08:00:00Z", 2);
  await addReview(t.deps, p, T1.id, 2, "pass", "2026-03-11T09:00:00Z");
  await completeTask(t.deps, p, T1.id, "2026-03-11T12:00:00Z");
  // T2: passed on its first review.
  const T2 = await addTask(t.deps, p, "2026-03-10T09:00:00Z");
  await addSubmission(t.deps, p, T2.id, B.id, "2026-03-10T11:00:00Z");
  await addReview(t.deps, p, T2.id, 1, "pass", "2026-03-10T12:00:00Z");
  await completeTask(t.deps, p, T2.id, "2026-03-12T10:00:00Z");
  // T3: returned, waiting for rework.
  const T3 = await addTask(t.deps, p, "2026-03-12T08:00:00Z");
  await addSubmission(t.deps, p, T3.id, A.id, "2026-03-12T09:00:00Z");
  await addReview(t.deps, p, T3.id, 1, "return", "2026-03-12T10:00:00Z");
  // T8: submitted, waiting for review.
  const T8 = await addTask(t.deps, p, "2026-03-12T08:30:00Z");
  await addSubmission(t.deps, p, T8.id, A.id, "2026-03-12T13:00:00Z");
  // T6: submitted in the previous 24h window.
  const T6 = await addTask(t.deps, p, "2026-03-13T12:00:00Z");
  await addSubmission(t.deps, p, T6.id, A.id, "2026-03-13T15:00:00Z");
  // T4 on the pipeline with no review node: completed, in no review metric.
  const T4 = await addTask(t.deps, bare, "2026-03-14T23:30:00Z");
  // T7 stays queued after its submission.
  const T7 = await addTask(t.deps, p, "2026-03-14T20:00:00Z");
  // Both sides of UTC midnight, written by a session whose zone is UTC+14: the
  // buckets are still UTC (03-14 and 03-15), not the session's local days.
  await t.deps.db.$transaction([
    t.deps.db.$executeRawUnsafe(`SET LOCAL TIME ZONE 'Pacific/Kiritimati'`),
    t.deps.db.$executeRawUnsafe(
      `INSERT INTO "Submission" ("projectId", "orgId", "taskId", "nodeId", "claimId", "userId", "answers", "attempt", "createdAt")
       VALUES ($1, $2, $3, $4, gen_random_uuid()::text, $5, '{}', 1, '2026-03-14T23:59:59.999Z'),
              ($1, $2, $6, $4, gen_random_uuid()::text, $5, '{}', 1, '2026-03-15T00:00:00.000Z')`,
      P.id,
      org.id,
      T4.id,
      bare.label.id,
      B.id,
      T7.id,
    ),
  ]);
  await completeTask(t.deps, bare, T4.id, "2026-03-15T00:10:00Z");
  // Q: A again on 03-10 (one person, two projects: one active submitter for the org).
  const TQ = await addTask(t.deps, q, "2026-03-10T10:00:00Z");
  await addSubmission(t.deps, q, TQ.id, A.id, "2026-03-10T10:30:00Z");
  return { org, admin, P, Q, A, B, C, viewer };
}

describe("project dashboard metrics", () => {
  it("7d: every widget, its previous period and its daily series", async () => {
    const d = await dataset();
    const res = await client(t.url, d.viewer.token).get(`/api/projects/${d.P.id}/dashboard?timeframe=7d`);
    expect(res.status).toBe(200);
    const { widgets: w, ...head } = res.body;
    expect(head).toEqual({ timeframe: "7d", from: "2026-03-09T00:00:00.000Z", to: "2026-03-15T10:30:00.000Z" });
    expect(w.projects).toBeUndefined();

    // A: 03-10, 03-11, 03-12 ×2, 03-13 = 5; B: 03-10, 03-14 23:59:59.999, 03-15 00:00 = 3. C (03-05) is the previous period.
    expect(w.activity.submissions).toEqual({ value: 8, previous: 1, series: days("2026-03-09", [0, 2, 1, 2, 1, 1, 1]) });
    // T1 03-11, T2 03-12, T4 03-15; T5 03-06 before.
    expect(w.activity.completedTasks).toEqual({ value: 3, previous: 1, series: days("2026-03-09", [0, 0, 1, 1, 0, 0, 1]) });
    // Distinct submitters per day: 0,2,1,1,1,1,1 → 7/7; previous: 1 on 03-05 → 1/7.
    expect(w.activity.dailyActiveSubmitters.series).toEqual(days("2026-03-09", [0, 2, 1, 1, 1, 1, 1]));
    expect(w.activity.dailyActiveSubmitters.value).toBeCloseTo(1, 10);
    expect(w.activity.dailyActiveSubmitters.previous).toBeCloseTo(1 / 7, 10);
    // Tasks created in the window: T1 T2 T3 T8 T6 T4 T7 = 7; completed T1 T2 T4.
    expect(w.pipelineCompletion).toEqual({ value: 3 / 7, completed: 3, total: 7 });
    // 8 submissions by 2 people; A made 5. Previous: C alone, once.
    expect(w.engagement.avgSubmissionsPerActiveContributor).toEqual({
      value: 4,
      previous: 1,
      series: days("2026-03-09", [null, 1, 1, 2, 1, 1, 1]),
    });
    expect(w.engagement.maxSubmissionsByContributor).toEqual({ value: 5, previous: 1, series: days("2026-03-09", [0, 1, 1, 2, 1, 1, 1]) });
    // First reviews in the window: T1 return, T2 pass (03-10), T3 return (03-12) → 1/3.
    expect(w.firstReviewPassRate).toEqual({ value: 1 / 3, previous: 1, series: days("2026-03-09", [null, 0.5, null, 0, null, null, null]) });
    // Those 3 pairs had 4 reviews (T1's second counts with its pair, on 03-10).
    expect(w.avgReviewsPerReviewNode).toEqual({ value: 4 / 3, previous: 1, series: days("2026-03-09", [null, 1.5, null, 1, null, null, null]) });

    // The live counters say the same for the same timeframe.
    expect(await dashboardCounters(t.deps, "project", d.P.id, "7d")).toEqual({
      submissions: 8,
      completedTasks: 3,
      dailyActiveSubmitters: 1,
      pipelineCompletion: 3 / 7,
      firstReviewPassRate: 1 / 3,
      avgReviewsPerReviewNode: 4 / 3,
      activeClaims: 0,
      queuedTasks: 4,
    });
  });

  it("24h: hourly buckets, distinct submitters over the whole window", async () => {
    const d = await dataset();
    const res = await client(t.url, d.admin.token).get(`/api/projects/${d.P.id}/dashboard?timeframe=24h`);
    expect(res.status).toBe(200);
    const w = res.body.widgets;
    expect(res.body.from).toBe("2026-03-14T11:00:00.000Z");
    const hours = (values: Record<string, number | null>, fill: number | null) =>
      Array.from({ length: 24 }, (_, i) => {
        const at = new Date(Date.parse("2026-03-14T11:00:00Z") + i * 3_600_000).toISOString();
        return { t: at, v: at in values ? values[at]! : fill };
      });
    // B at 23:59:59.999 (hour 23) and 00:00 (hour 00); before: A at 03-13 15:00.
    const subs = { "2026-03-14T23:00:00.000Z": 1, "2026-03-15T00:00:00.000Z": 1 };
    expect(w.activity.submissions).toEqual({ value: 2, previous: 1, series: hours(subs, 0) });
    expect(w.activity.completedTasks).toEqual({ value: 1, previous: 0, series: hours({ "2026-03-15T00:00:00.000Z": 1 }, 0) });
    expect(w.activity.dailyActiveSubmitters).toEqual({ value: 1, previous: 1, series: hours(subs, 0) });
    expect(w.engagement.avgSubmissionsPerActiveContributor).toEqual({ value: 2, previous: 1, series: hours(subs, null) });
    expect(w.engagement.maxSubmissionsByContributor).toEqual({ value: 2, previous: 1, series: hours(subs, 0) });
    // T7 (03-14 20:00) and T4 (03-14 23:30) were created in the window; T4 is done.
    expect(w.pipelineCompletion).toEqual({ value: 0.5, completed: 1, total: 2 });
    expect(w.firstReviewPassRate).toEqual({ value: null, previous: null, series: hours({}, null) });
    expect(w.avgReviewsPerReviewNode).toEqual({ value: null, previous: null, series: hours({}, null) });
  });

  it("all: every day since the project's first, no previous period", async () => {
    const d = await dataset();
    const w = (await client(t.url, d.admin.token).get(`/api/projects/${d.P.id}/dashboard?timeframe=all`)).body;
    // The project was created on 03-01: 15 days.
    expect(w.from).toBe("2026-03-01T00:00:00.000Z");
    expect(w.widgets.activity.submissions.series).toHaveLength(15);
    expect(w.widgets.activity.submissions.value).toBe(9);
    expect(w.widgets.activity.submissions.previous).toBeNull();
    // 8 submitter-days over 15 days.
    expect(w.widgets.activity.dailyActiveSubmitters.value).toBeCloseTo(8 / 15, 10);
    // A 5, B 3, C 1.
    expect(w.widgets.engagement.avgSubmissionsPerActiveContributor.value).toBe(3);
    expect(w.widgets.engagement.maxSubmissionsByContributor.value).toBe(5);
    expect(w.widgets.firstReviewPassRate.value).toBe(0.5);
    expect(w.widgets.avgReviewsPerReviewNode.value).toBe(5 / 4);
    expect(w.widgets.pipelineCompletion).toEqual({ value: 0.5, completed: 4, total: 8 });
  });

  it("an empty timeframe answers zeros and nulls, never an error", async () => {
    const { org, admin } = await createOrg(t.deps);
    const P = await t.deps.db.project.create({ data: { orgId: org.id, name: "Empty", createdAt: new Date("2026-03-15T09:00:00Z") } });
    for (const tf of ["24h", "7d", "30d", "90d", "all"] as const) {
      const res = await client(t.url, admin.token).get(`/api/projects/${P.id}/dashboard?timeframe=${tf}`);
      expect(res.status).toBe(200);
      const w = res.body.widgets;
      const n = { "24h": 24, "7d": 7, "30d": 30, "90d": 90, all: 1 }[tf];
      const previous = tf === "all" ? null : 0;
      expect(w.activity.submissions).toEqual({ value: 0, previous, series: expect.any(Array) });
      expect(w.activity.submissions.series).toHaveLength(n);
      expect(w.activity.submissions.series.every((p: { v: number }) => p.v === 0)).toBe(true);
      expect(w.activity.completedTasks.value).toBe(0);
      expect(w.activity.dailyActiveSubmitters.value).toBe(0);
      expect(w.pipelineCompletion).toEqual({ value: null, completed: 0, total: 0 });
      expect(w.engagement.avgSubmissionsPerActiveContributor.value).toBeNull();
      expect(w.engagement.maxSubmissionsByContributor).toMatchObject({ value: 0, previous });
      expect(w.firstReviewPassRate.value).toBeNull();
      expect(w.avgReviewsPerReviewNode.value).toBeNull();
    }
  });
});

describe("org dashboard metrics", () => {
  it("adds up projects, counts a person once across projects, lists the projects", async () => {
    const d = await dataset();
    const res = await client(t.url, d.admin.token).get(`/api/orgs/${d.org.id}/dashboard?timeframe=7d`);
    expect(res.status).toBe(200);
    const w = res.body.widgets;
    // P (created 03-01) and Q (03-12); one existed when the window opened.
    expect(w.projects).toEqual({
      count: 2,
      previous: 1,
      series: days("2026-03-09", [1, 1, 1, 2, 2, 2, 2]),
      items: [
        { id: d.P.id, name: "P", status: "active", contributors: 3 },
        { id: d.Q.id, name: "Q", status: "archived", contributors: 1 },
      ],
    });
    // P's 8 and Q's 1; on 03-10 A worked in both projects: still one person that day.
    expect(w.activity.submissions).toEqual({ value: 9, previous: 1, series: days("2026-03-09", [0, 3, 1, 2, 1, 1, 1]) });
    expect(w.activity.dailyActiveSubmitters.series).toEqual(days("2026-03-09", [0, 2, 1, 1, 1, 1, 1]));
    expect(w.engagement.avgSubmissionsPerActiveContributor.value).toBe(4.5);
    // A: 5 in P + 1 in Q; on 03-10, 2 (one per project).
    expect(w.engagement.maxSubmissionsByContributor).toEqual({ value: 6, previous: 1, series: days("2026-03-09", [0, 2, 1, 2, 1, 1, 1]) });
    // TQ joins the created tasks, not the completed ones.
    expect(w.pipelineCompletion).toEqual({ value: 3 / 8, completed: 3, total: 8 });
    expect(w.firstReviewPassRate.value).toBe(1 / 3);

    const all = (await client(t.url, d.admin.token).get(`/api/orgs/${d.org.id}/dashboard?timeframe=all`)).body;
    expect(all.from).toBe("2026-03-01T00:00:00.000Z");
    expect(all.widgets.activity.submissions.value).toBe(10);
    expect(all.widgets.projects.previous).toBeNull();
    expect(await dashboardCounters(t.deps, "org", d.org.id, "24h")).toMatchObject({ submissions: 2, completedTasks: 1, dailyActiveSubmitters: 1 });
  });

  it("a project made through the API is dated by the server's clock, so the Projects widget counts it that day", async () => {
    const { org, admin } = await createOrg(t.deps);
    const made = await client(t.url, admin.token).post(`/api/orgs/${org.id}/projects`, { name: "Made now" });
    expect([made.status, made.body.createdAt]).toEqual([201, "2026-03-15T10:30:00.000Z"]);
    const w = (await client(t.url, admin.token).get(`/api/orgs/${org.id}/dashboard?timeframe=7d`)).body.widgets;
    expect(w.projects).toMatchObject({ count: 1, previous: 0, series: days("2026-03-09", [0, 0, 0, 0, 0, 0, 1]) });
  });
});
