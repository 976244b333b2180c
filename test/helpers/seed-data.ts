// Rows for read-side tests (data explorer, export, runs list) written straight
// to PostgreSQL: a pipeline, tasks at chosen states, evaluations and reviews.
// Write paths (claims, submissions) are tested through the API elsewhere.
import { randomUUID } from "node:crypto";
import type { Deps } from "../../server/src/deps";

type Project = { id: string; orgId: string };

export const EVAL_CRITERIA = [
  { key: "accuracy", label: "Accuracy", kind: "rating", required: true, min: 1, max: 5 },
  { key: "notes", label: "Notes", kind: "text", required: false },
  { key: "safe", label: "Safe", kind: "boolean", required: false },
];

/** evaluate (task) → review (reviews evaluate) → end. */
export async function seedPipeline(deps: Deps, project: Project, name = "Eval") {
  const pipeline = await deps.db.pipeline.create({ data: { projectId: project.id, name } });
  const node = (key: string, kind: string, position: number, extra: object = {}) =>
    deps.db.pipelineNode.create({ data: { pipelineId: pipeline.id, projectId: project.id, key, kind, name: key, position, ...extra } });
  const evaluate = await node("evaluate", "task", 0, { form: { criteria: EVAL_CRITERIA } });
  const review = await node("review", "review", 1, { reviewsNodeId: evaluate.id });
  const end = await node("end", "end", 2);
  return { pipeline, evaluate, review, end };
}
export type SeededPipeline = Awaited<ReturnType<typeof seedPipeline>>;

export async function seedTask(
  deps: Deps,
  project: Project,
  p: SeededPipeline,
  data: { nodeId?: string; status?: string; priority?: number; payload?: object; createdAt?: Date; runId?: string } = {},
) {
  return deps.db.task.create({
    data: {
      projectId: project.id,
      pipelineId: p.pipeline.id,
      nodeId: data.nodeId ?? p.evaluate.id,
      status: data.status ?? "queued",
      priority: data.priority ?? 0,
      payload: data.payload ?? { q: "question" },
      runId: data.runId ?? null,
      ...(data.createdAt ? { createdAt: data.createdAt, updatedAt: data.createdAt } : {}),
      ...(data.status === "completed" ? { completedAt: data.createdAt ?? new Date() } : {}),
    },
  });
}

export async function seedSubmission(
  deps: Deps,
  project: Project,
  taskId: string,
  nodeId: string,
  userId: string,
  answers: Record<string, unknown>,
  attempt = 1,
) {
  return deps.db.submission.create({
    data: { projectId: project.id, orgId: project.orgId, taskId, nodeId, userId, answers: answers as object, attempt, claimId: randomUUID() },
  });
}

export async function seedReview(
  deps: Deps,
  project: Project,
  submission: { id: string; taskId: string },
  nodeId: string,
  userId: string,
  verdict: "pass" | "return",
  round = 1,
  comment: string | null = null,
) {
  return deps.db.review.create({
    data: {
      projectId: project.id,
      orgId: project.orgId,
      taskId: submission.taskId,
      nodeId,
      submissionId: submission.id,
      userId,
      verdict,
      round,
      comment,
      claimId: randomUUID(),
    },
  });
}

/**
 * Many tasks at once, in one INSERT … SELECT generate_series; `padding`
 * characters of payload per task make the rows heavy. Every `evaluatedEvery`-th
 * task gets an evaluation (submissions fire per-row dashboard triggers: a few
 * ms each, so not one per task).
 */
export async function seedManyTasks(
  deps: Deps,
  project: Project,
  p: SeededPipeline,
  userId: string,
  count: number,
  padding = 600,
  evaluatedEvery = 100,
) {
  await deps.db.$executeRaw`
    INSERT INTO "Task" ("id", "projectId", "pipelineId", "nodeId", "status", "priority", "payload", "createdAt", "updatedAt")
    SELECT 'bulk-' || ${project.id} || '-' || lpad(g::text, 7, '0'), ${project.id}, ${p.pipeline.id}, ${p.review.id}, 'queued', g % 10,
           jsonb_build_object('n', g, 'text', repeat('x', ${padding}::int)),
           now() - make_interval(secs => ${count}::int - g), now()
    FROM generate_series(1, ${count}::int) g`;
  await deps.db.$executeRaw`
    INSERT INTO "Submission" ("id", "projectId", "orgId", "taskId", "nodeId", "claimId", "userId", "answers", "attempt")
    SELECT gen_random_uuid()::text, ${project.id}, ${project.orgId}, 'bulk-' || ${project.id} || '-' || lpad(g::text, 7, '0'),
           ${p.evaluate.id}, gen_random_uuid()::text, ${userId}, jsonb_build_object('accuracy', 1 + g % 5, 'notes', 'fine'), 1
    FROM generate_series(1, ${count}::int) g
    WHERE g % ${evaluatedEvery}::int = 0`;
}
