// The aggregate rows the triggers keep equal what dashboard_rebuild() computes
// from the raw tables: for writes in any order, in parallel transactions, and
// after deletes (a project's deletion clears its history first).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createOrg } from "../helpers/factories";
import { foldDashboardDeltas } from "../../server/src/modules/dashboard/fold";
import { addReview, addSubmission, addTask, aggregatesOf, completeTask, dashPipeline, type DashPipeline } from "./dashboard.factories";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** A deterministic pseudo-random sequence (the same data on every run). */
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const at = (base: string, hours: number) => new Date(Date.parse(base) + hours * 3_600_000).toISOString();

/** Tasks, submissions (shuffled in time), reviews and completions over ~10 days. */
async function activity(p: DashPipeline, users: string[], n: number, seed: number) {
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const created = at("2026-05-01T00:00:00Z", r() * 240);
    const task = await addTask(t.deps, p, created);
    const user = users[Math.floor(r() * users.length)]!;
    // Anywhere in the period, so rows often arrive older than ones already counted.
    const submitted = at("2026-05-01T00:00:00Z", r() * 240);
    await addSubmission(t.deps, p, task.id, user, submitted);
    if (r() < 0.7) {
      await addReview(t.deps, p, task.id, 1, r() < 0.6 ? "pass" : "return", at(submitted, 1 + r() * 5));
      if (r() < 0.3) {
        await addSubmission(t.deps, p, task.id, user, at(submitted, 8), 2);
        await addReview(t.deps, p, task.id, 2, "pass", at(submitted, 30));
      }
      if (r() < 0.5) await completeTask(t.deps, p, task.id, at(submitted, 40));
    }
  }
}

async function rebuilt(orgId: string) {
  await t.deps.db.$executeRawUnsafe(`SELECT dashboard_rebuild($1)`, orgId);
  return aggregatesOf(t.deps, orgId);
}

describe("dashboard aggregates", () => {
  it("kept by the triggers equal the rebuild from raw rows, whatever the arrival order", async () => {
    const { org } = await createOrg(t.deps);
    const p1 = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "one" } }));
    const p2 = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "two" } }));
    await activity(p1, ["u1", "u2", "u3"], 40, 1);
    await activity(p2, ["u2", "u3", "u4"], 30, 2);
    const kept = await aggregatesOf(t.deps, org.id);
    expect(kept.length).toBeGreaterThan(100);
    expect(await rebuilt(org.id)).toEqual(kept);
  });

  it("read the same before and after the pending deltas are folded, folding midway or at the end", async () => {
    const { org } = await createOrg(t.deps);
    const p = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "folded" } }));
    await activity(p, ["u1", "u2", "u3"], 20, 3);
    await foldDashboardDeltas(t.deps);
    await activity(p, ["u2", "u4"], 20, 4);
    const pending = await t.deps.db.$queryRawUnsafe<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "StatProjectDelta" WHERE "orgId" = $1`,
      org.id,
    );
    expect(pending[0]!.n).toBeGreaterThan(0);
    const live = await aggregatesOf(t.deps, org.id);
    await foldDashboardDeltas(t.deps);
    const after = await aggregatesOf(t.deps, org.id);
    expect(after).toEqual(live);
    const left = await t.deps.db.$queryRawUnsafe<Array<{ n: number }>>(
      `SELECT count(*) AS n FROM "StatProjectDelta" WHERE "orgId" = $1`,
      org.id,
    );
    expect(Number(left[0]!.n)).toBe(0);
    expect(await rebuilt(org.id)).toEqual(live);
  });

  it("stay exact with the same person submitting in parallel transactions", async () => {
    const { org } = await createOrg(t.deps);
    const p = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "busy" } }));
    const p2 = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "busy too" } }));
    const tasks = await Promise.all(Array.from({ length: 40 }, (_, i) => addTask(t.deps, i % 2 ? p2 : p, at("2026-05-01T00:00:00Z", i))));
    // 40 transactions at once in two projects, spread over three days, most by one person.
    await Promise.all(
      tasks.map((task, i) =>
        t.deps.db.$transaction(async (tx) => {
          await tx.submission.create({
            data: {
              projectId: task.projectId,
              orgId: org.id,
              taskId: task.id,
              nodeId: task.nodeId,
              claimId: `c-${task.id}`,
              userId: i % 5 === 0 ? "other" : "same",
              answers: {},
              attempt: 1,
              createdAt: new Date(at("2026-05-01T00:00:00Z", (i * 7) % 72)),
            },
          });
          await tx.task.update({ where: { id: task.id }, data: { status: "completed", completedAt: new Date(at("2026-05-03T00:00:00Z", i)) } });
        }),
      ),
    );
    const kept = await aggregatesOf(t.deps, org.id);
    expect(await rebuilt(org.id)).toEqual(kept);
    const [sum] = await t.deps.db.$queryRawUnsafe<Array<{ s: number; c: number }>>(
      `SELECT sum("submissions")::int AS s, sum("completedTasks")::int AS c FROM "StatProjectDayLive" WHERE "orgId" = $1`,
      org.id,
    );
    expect(sum).toEqual({ s: 40, c: 40 });
  });

  it("follow deletes: a removed review, task or submission, and a whole project", async () => {
    const { org } = await createOrg(t.deps);
    const keep = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "keep" } }));
    const gone = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "gone" } }));
    // The same people in both projects: the org's per-person rows must drop only what left.
    await activity(keep, ["u1", "u2"], 25, 3);
    await activity(gone, ["u1", "u2", "u3"], 25, 4);

    const someReview = await t.deps.db.review.findFirst({ where: { projectId: keep.project.id, round: 1 } });
    await t.deps.db.review.deleteMany({ where: { taskId: someReview!.taskId } });
    const someTask = await t.deps.db.task.findFirst({ where: { projectId: keep.project.id, status: "completed" } });
    await t.deps.db.task.delete({ where: { id: someTask!.id } });
    const someSubmission = await t.deps.db.submission.findFirst({ where: { projectId: keep.project.id } });
    await t.deps.db.submission.delete({ where: { id: someSubmission!.id } });
    let kept = await aggregatesOf(t.deps, org.id);
    expect(await rebuilt(org.id)).toEqual(kept);

    // As the projects module deletes a project: its history rows, then the project.
    await t.deps.db.$transaction(async (tx) => {
      const where = { projectId: gone.project.id };
      await tx.review.deleteMany({ where });
      await tx.submission.deleteMany({ where });
      await tx.project.delete({ where: { id: gone.project.id } });
    });
    kept = await aggregatesOf(t.deps, org.id);
    expect(kept.some((r) => r.includes(gone.project.id))).toBe(false);
    expect(kept.some((r) => r.includes("u3"))).toBe(false);
    expect(await rebuilt(org.id)).toEqual(kept);
  });

  it("count a task completed once, however often its status is rewritten", async () => {
    const { org } = await createOrg(t.deps);
    const p = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "moves" } }));
    const task = await addTask(t.deps, p, "2026-05-01T10:00:00Z");
    await t.deps.db.task.update({ where: { id: task.id }, data: { status: "claimed" } });
    await completeTask(t.deps, p, task.id, "2026-05-01T12:00:00Z");
    await t.deps.db.task.update({ where: { id: task.id }, data: { priority: 5 } });
    await completeTask(t.deps, p, task.id, "2026-05-02T12:00:00Z"); // completion time corrected
    // What readers see: the bucket rows plus the triggers' pending deltas.
    const days = await t.deps.db.$queryRawUnsafe<Array<{ day: Date; completedTasks: number; tasksCreated: number; tasksCreatedCompleted: number }>>(
      `SELECT "day", "completedTasks", "tasksCreated", "tasksCreatedCompleted" FROM "StatProjectDayLive" WHERE "projectId" = $1 ORDER BY "day"`,
      p.project.id,
    );
    expect(days.map((d) => [d.day.toISOString().slice(0, 10), d.completedTasks, d.tasksCreated, d.tasksCreatedCompleted])).toEqual([
      ["2026-05-01", 0, 1, 1],
      ["2026-05-02", 1, 0, 0],
    ]);
    await addReview(t.deps, p, task.id, 1, "pass", "2026-05-01T11:00:00Z");
    const kept = await aggregatesOf(t.deps, org.id);
    expect(await rebuilt(org.id)).toEqual(kept);
  });

  it("count a cancelled task out of the created tasks while it is cancelled, and back in once reopened", async () => {
    const { org } = await createOrg(t.deps);
    const p = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "cancels" } }));
    const a = await addTask(t.deps, p, "2026-05-01T10:05:00Z");
    const b = await addTask(t.deps, p, "2026-05-01T10:20:00Z");
    const c = await addTask(t.deps, p, "2026-05-02T08:00:00Z");
    const done = await addTask(t.deps, p, "2026-05-02T08:30:00Z");
    await completeTask(t.deps, p, done.id, "2026-05-03T09:00:00Z");
    const status = (id: string, s: string) => t.deps.db.task.update({ where: { id }, data: { status: s } });
    const created = async () =>
      (
        await t.deps.db.$queryRawUnsafe<Array<{ hour: Date; tasksCreated: number; tasksCreatedCompleted: number }>>(
          `SELECT "hour", "tasksCreated", "tasksCreatedCompleted" FROM "StatProjectHourLive" WHERE "projectId" = $1 AND "tasksCreated" + "tasksCreatedCompleted" <> 0 ORDER BY "hour"`,
          p.project.id,
        )
      ).map((h) => [h.hour.toISOString().slice(0, 13), h.tasksCreated, h.tasksCreatedCompleted]);
    expect(await created()).toEqual([
      ["2026-05-01T10", 2, 0],
      ["2026-05-02T08", 2, 1],
    ]);

    await status(a.id, "cancelled");
    await status(c.id, "cancelled");
    expect(await created()).toEqual([
      ["2026-05-01T10", 1, 0],
      ["2026-05-02T08", 1, 1],
    ]);
    await t.deps.db.task.update({ where: { id: a.id }, data: { priority: 3 } }); // still cancelled: counts nothing
    expect(await rebuilt(org.id)).toEqual(await aggregatesOf(t.deps, org.id));

    await status(c.id, "queued"); // reopened
    await status(b.id, "claimed"); // other moves count nothing
    expect(await created()).toEqual([
      ["2026-05-01T10", 1, 0],
      ["2026-05-02T08", 2, 1],
    ]);
    // A cancelled task deleted, and one written cancelled, leave the counts as they are.
    await t.deps.db.task.delete({ where: { id: a.id } });
    await t.deps.db.task.create({
      data: { projectId: p.project.id, pipelineId: p.pipeline.id, nodeId: p.label.id, status: "cancelled", payload: {}, createdAt: new Date("2026-05-01T10:30:00Z") },
    });
    expect(await created()).toEqual([
      ["2026-05-01T10", 1, 0],
      ["2026-05-02T08", 2, 1],
    ]);
    const kept = await aggregatesOf(t.deps, org.id);
    expect(await rebuilt(org.id)).toEqual(kept);
    await foldDashboardDeltas(t.deps);
    expect(await aggregatesOf(t.deps, org.id)).toEqual(kept);
  });

  it("count a completion within its task's creation hour, and the same completion moved out of it", async () => {
    const { org } = await createOrg(t.deps);
    const p = await dashPipeline(t.deps, await t.deps.db.project.create({ data: { orgId: org.id, name: "same hour" } }));
    const task = await addTask(t.deps, p, "2026-05-01T10:05:00Z");
    const hours = async () =>
      (
        await t.deps.db.$queryRawUnsafe<Array<{ hour: Date; completedTasks: number; tasksCreatedCompleted: number }>>(
          `SELECT "hour", "completedTasks", "tasksCreatedCompleted" FROM "StatProjectHourLive" WHERE "projectId" = $1 ORDER BY "hour"`,
          p.project.id,
        )
      ).map((h) => [h.hour.toISOString().slice(0, 13), h.completedTasks, h.tasksCreatedCompleted]);
    await completeTask(t.deps, p, task.id, "2026-05-01T10:40:00Z");
    expect(await hours()).toEqual([["2026-05-01T10", 1, 1]]);
    await completeTask(t.deps, p, task.id, "2026-05-01T10:50:00Z"); // corrected, still within the hour
    expect(await hours()).toEqual([["2026-05-01T10", 1, 1]]);
    await completeTask(t.deps, p, task.id, "2026-05-01T12:00:00Z"); // moved out of it
    expect(await hours()).toEqual([
      ["2026-05-01T10", 0, 1],
      ["2026-05-01T12", 1, 0],
    ]);
    await foldDashboardDeltas(t.deps);
    const kept = await aggregatesOf(t.deps, org.id);
    expect(await rebuilt(org.id)).toEqual(kept);
  });
});
