// Rows the dashboard counts, written straight to PostgreSQL at chosen instants
// (as the claim engine would write them): tasks, submissions on task nodes,
// reviews on review nodes. The dashboard triggers see these exactly as they see
// the engine's writes.
import { randomUUID } from "node:crypto";
import type { Deps } from "../../server/src/deps";

type Project = { id: string; orgId: string };

/** A pipeline `label (task) → check (review of label) → end`, or `label → end` with `review: false`. */
export async function dashPipeline(deps: Deps, project: Project, opts: { review?: boolean } = {}) {
  const pipeline = await deps.db.pipeline.create({ data: { projectId: project.id, name: `Pipeline ${randomUUID().slice(0, 6)}` } });
  const node = (key: string, kind: string, position: number, reviewsNodeId?: string) =>
    deps.db.pipelineNode.create({ data: { pipelineId: pipeline.id, projectId: project.id, key, kind, name: key, position, reviewsNodeId } });
  const label = await node("label", "task", 0);
  const check = opts.review === false ? null : await node("check", "review", 1, label.id);
  const end = await node("end", "end", 2);
  return { pipeline, label, check, end, project };
}
export type DashPipeline = Awaited<ReturnType<typeof dashPipeline>>;

export async function addTask(deps: Deps, p: DashPipeline, at: string, completedAt?: string) {
  return deps.db.task.create({
    data: {
      projectId: p.project.id,
      pipelineId: p.pipeline.id,
      nodeId: completedAt ? p.end.id : p.label.id,
      status: completedAt ? "completed" : "queued",
      payload: {},
      createdAt: new Date(at),
      completedAt: completedAt ? new Date(completedAt) : null,
    },
  });
}

export async function addSubmission(deps: Deps, p: DashPipeline, taskId: string, userId: string, at: string, attempt = 1) {
  return deps.db.submission.create({
    data: {
      projectId: p.project.id,
      orgId: p.project.orgId,
      taskId,
      nodeId: p.label.id,
      claimId: randomUUID(),
      userId,
      answers: {},
      attempt,
      createdAt: new Date(at),
    },
  });
}

export async function addReview(deps: Deps, p: DashPipeline, taskId: string, round: number, verdict: "pass" | "return", at: string, userId = "reviewer") {
  const submission = await deps.db.submission.findFirst({ where: { taskId }, orderBy: { createdAt: "desc" } });
  return deps.db.review.create({
    data: {
      projectId: p.project.id,
      orgId: p.project.orgId,
      taskId,
      nodeId: p.check!.id,
      submissionId: submission?.id ?? randomUUID(),
      claimId: randomUUID(),
      userId,
      verdict,
      round,
      createdAt: new Date(at),
    },
  });
}

/** Marks a task completed at `at` (it reached the end node). */
export function completeTask(deps: Deps, p: DashPipeline, taskId: string, at: string) {
  return deps.db.task.update({ where: { id: taskId }, data: { status: "completed", nodeId: p.end.id, completedAt: new Date(at) } });
}

/**
 * Every aggregate row of an org and its projects, as comparable text. All-zero
 * bucket rows (left by deletes) count nothing and are the same as no row.
 */
export async function aggregatesOf(deps: Deps, orgId: string): Promise<string[]> {
  const rows = await deps.db.$queryRawUnsafe<Array<{ r: string }>>(
    `WITH scopes AS (SELECT $1::text AS id UNION ALL SELECT id FROM "Project" WHERE "orgId" = $1)
     SELECT 'ph ' || row(s.*)::text AS r FROM "StatProjectHourLive" s WHERE "orgId" = $1
       AND "submissions" + "completedTasks" + "tasksCreated" + "tasksCreatedCompleted" + "firstReviews" + "reviews" + "activeSubmitters" <> 0
     UNION ALL SELECT 'pd ' || row(s.*)::text FROM "StatProjectDayLive" s WHERE "orgId" = $1
       AND "submissions" + "completedTasks" + "tasksCreated" + "tasksCreatedCompleted" + "firstReviews" + "reviews" + "activeSubmitters" <> 0
     UNION ALL SELECT 'oh ' || row(s.*)::text FROM "StatOrgHour" s WHERE "orgId" = $1 AND "activeSubmitters" <> 0
     UNION ALL SELECT 'od ' || row(s.*)::text FROM "StatOrgDay" s WHERE "orgId" = $1 AND "activeSubmitters" <> 0
     UNION ALL SELECT 'uh ' || row(u."scopeId", u."userId", u."hour", u."submissions", u."cum", u."nextHour")::text
       FROM "StatUserHour" u JOIN scopes ON scopes.id = u."scopeId"
     UNION ALL SELECT 'ud ' || row(u.*)::text FROM "StatUserDay" u JOIN scopes ON scopes.id = u."scopeId"
     ORDER BY 1`,
    orgId,
  );
  return rows.map((x) => x.r);
}
