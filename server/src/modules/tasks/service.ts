// Tasks enter a pipeline at its first node: bulk import (JSON or CSV, up to
// MAX_IMPORT per request, one transaction, under the project's shared lock so
// an archive or delete of the project, or an archive, new version or delete of
// the pipeline, waits for it or is seen by it: projects/lock.ts), then
// Redis follows and one `task.queued` event goes out. insertTasks/enqueueTasks
// serve other entry points too (agent runs). Assignments are checked in the
// insert's transaction with the types and members they name read FOR SHARE: a
// delete of the type or a removal (or role change) of the person at the same
// moment waits for the import and then sees its tasks, or the import sees the
// change and refuses.
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, invalidRequest, notFound, payloadTooLarge } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { enqueue } from "../../queue/follow";
import { nodeOfClaim } from "../../queue/held";
import { newId } from "../../queue/ids";
import { markStale } from "../../queue/stale";
import { recordAudit } from "../audit/record";
import { shareTypes } from "../contributor-types/lock";
import { pipelineMustTakeTasks } from "../pipelines/open";
import { projectMustBeActive, shareProject } from "../projects/lock";

export const MAX_IMPORT = 10_000;

export interface TaskInput {
  payload: Record<string, unknown>;
  priority?: number;
  assignTo?: { userId: string } | { contributorTypeId: string };
}

export interface NewTask {
  id: string;
  priority: number;
  payload: unknown;
  assignedUserId: string | null;
  assignedTypeId: string | null;
  reworkUserId: null;
  runId: string | null;
  createdAt: Date;
}

type Pipeline = { id: string; projectId: string; status: string; project: { orgId: string; status: string }; nodes: Array<{ id: string; position: number; contributorTypeId: string | null }> };

export async function importTasks(deps: Deps, actor: Actor, pipeline: Pipeline, items: TaskInput[]) {
  if (items.length > MAX_IMPORT) throw payloadTooLarge(`At most ${MAX_IMPORT} tasks per import (got ${items.length}); split the file.`);
  if (!items.length) throw invalidRequest("There are no tasks to import.");
  projectMustBeActive(pipeline.project.status);
  await pipelineMustTakeTasks(deps.db, pipeline.id, pipeline.status);
  const first = pipeline.nodes.reduce((a, b) => (b.position < a.position ? b : a));
  const now = deps.clock.now();
  const tasks: NewTask[] = items.map((t) => ({
    id: newId(),
    priority: t.priority ?? 0,
    payload: t.payload,
    assignedUserId: t.assignTo && "userId" in t.assignTo ? t.assignTo.userId : null,
    assignedTypeId: t.assignTo && "contributorTypeId" in t.assignTo ? t.assignTo.contributorTypeId : null,
    reworkUserId: null,
    runId: null,
    createdAt: now,
  }));
  await deps.db.$transaction(
    async (tx) => {
      // Read again under the project's shared lock: an archive or delete under way commits first (projects/lock.ts).
      const status = await shareProject(tx, pipeline.projectId);
      if (!status) throw notFound("pipeline");
      projectMustBeActive(status);
      await pipelineMustTakeTasks(tx, pipeline.id);
      await assignmentsMustExist(tx, pipeline.projectId, first.contributorTypeId, items);
      await insertTasks(tx, { projectId: pipeline.projectId, pipelineId: pipeline.id, nodeId: first.id, tasks, event: "imported" });
      await recordAudit(tx, actor, {
        orgId: pipeline.project.orgId,
        action: "task.import",
        resourceType: "pipeline",
        resourceId: pipeline.id,
        after: { count: tasks.length, firstTaskId: tasks[0]!.id, lastTaskId: tasks[tasks.length - 1]!.id },
      });
    },
    { timeout: 60_000 }, // an archive or delete waiting for it has as long (projects/lock.ts)
  );
  await enqueueTasks(deps, { orgId: pipeline.project.orgId, projectId: pipeline.projectId, pipelineId: pipeline.id, nodeId: first.id }, tasks);
  return { count: tasks.length, taskIds: tasks.map((t) => t.id) };
}

/** One statement for any number of tasks, with their `imported`/`created` history rows. */
export async function insertTasks(
  tx: Tx,
  a: { projectId: string; pipelineId: string; nodeId: string; tasks: NewTask[]; event: "imported" | "created" },
): Promise<void> {
  const col = <K extends keyof NewTask>(k: K) => a.tasks.map((t) => t[k]);
  await tx.$executeRaw`
    WITH t AS (
      INSERT INTO "Task" (id, "projectId", "pipelineId", "nodeId", status, priority, payload, "assignedUserId", "assignedTypeId", "runId", "createdAt", "updatedAt")
      SELECT r.id, ${a.projectId}, ${a.pipelineId}, ${a.nodeId}, 'queued', r.priority, r.payload, r.au, r.at, r.run, r.created, r.created
      FROM unnest(${col("id")}::text[], ${col("priority")}::int[], ${a.tasks.map((t) => JSON.stringify(t.payload))}::jsonb[],
                  ${col("assignedUserId")}::text[], ${col("assignedTypeId")}::text[], ${col("runId")}::text[],
                  ${col("createdAt")}::timestamptz[]) AS r(id, priority, payload, au, at, run, created)
      RETURNING id, "createdAt")
    INSERT INTO "TaskEvent" (id, "taskId", "projectId", type, "nodeId", "createdAt")
    SELECT pipelines_event_id(), t.id, ${a.projectId}, ${a.event}, ${a.nodeId}, t."createdAt" FROM t ORDER BY t.id`;
}

/** After the insert committed: Redis places the tasks, then the event goes out. */
export async function enqueueTasks(
  deps: Deps,
  at: { orgId: string; projectId: string; pipelineId: string; nodeId: string },
  tasks: NewTask[],
): Promise<void> {
  try {
    const { node } = await nodeOfClaim(deps, { projectId: at.projectId, nodeId: at.nodeId });
    await enqueue(deps, at.projectId, node, tasks);
  } catch (err) {
    // The tasks are committed: a retry would import them twice. Redis catches up by a rebuild.
    deps.log.warn({ err, projectId: at.projectId }, "queueing imported tasks in Redis failed; the project's queue will be rebuilt");
    await markStale(deps, at.projectId).catch(() => {});
  }
  deps.bus.publish({ type: "task.queued", ...at, taskIds: tasks.map((t) => t.id) });
}

/**
 * Each assignment names a contributor (or type) of this project who can work
 * the first node: else the task could never be claimed. One locking read per
 * kind, types before members (the order a type's delete takes them in).
 */
async function assignmentsMustExist(tx: Tx, projectId: string, needs: string | null, items: TaskInput[]) {
  const users = new Set<string>();
  const types = new Set<string>();
  for (const t of items) {
    if (t.assignTo && "userId" in t.assignTo) users.add(t.assignTo.userId);
    if (t.assignTo && "contributorTypeId" in t.assignTo) types.add(t.assignTo.contributorTypeId);
  }
  if (!users.size && !types.size) return;
  const known = await shareTypes(tx, projectId, [...types]);
  const members = users.size
    ? await tx.$queryRaw<Array<{ userId: string; contributorTypeId: string | null }>>`
        SELECT "userId", "contributorTypeId" FROM "ProjectMember"
        WHERE "projectId" = ${projectId} AND "role" = 'contributor' AND "userId" = ANY(${[...users]}::text[]) FOR SHARE`
    : [];
  const typeOf = new Map(members.map((m) => [m.userId, m.contributorTypeId]));
  const wrongType = "Works as another contributor type than the pipeline's first node needs";
  const issues: Array<{ in: string; path: string; message: string }> = [];
  items.forEach((t, i) => {
    if (issues.length >= 20 || !t.assignTo) return;
    if ("userId" in t.assignTo) {
      const path = `tasks.${i}.assignTo.userId`;
      if (!typeOf.has(t.assignTo.userId)) issues.push({ in: "body", path, message: "Not a contributor of this project" });
      else if (needs && typeOf.get(t.assignTo.userId) !== needs) issues.push({ in: "body", path, message: wrongType });
    } else {
      const path = `tasks.${i}.assignTo.contributorTypeId`;
      if (!known.has(t.assignTo.contributorTypeId)) issues.push({ in: "body", path, message: "No such contributor type in this project" });
      else if (needs && t.assignTo.contributorTypeId !== needs) issues.push({ in: "body", path, message: wrongType });
    }
  });
  if (issues.length) throw invalidRequest("Some tasks are assigned to someone who cannot work this project.", { issues });
}
