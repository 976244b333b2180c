// Deleting a contributor type. Pipeline nodes that require it and open tasks
// (queued or claimed) assigned to it stop the delete (409 type_in_use). Its
// cancelled tasks do not: they are out of every queue, and the delete clears
// their assignment to it (a history step each, the count in the audit entry), so
// a task reopened later is open at its node instead of kept for a type that is
// gone. A task edit reads its task's type FOR SHARE (tasks/edit.ts), so a reopen
// under way commits first and is counted here, or comes after and finds the
// assignment cleared.
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, notFound } from "../../http/errors";
import { recordAudit } from "../audit/record";
import { projectMustExist } from "../projects/lock";
import { lockTypeForDelete } from "./lock";

export async function deleteContributorType(
  deps: Deps,
  actor: Actor,
  project: { id: string; orgId: string },
  type: { id: string; [k: string]: unknown },
): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    // The project's lock before the type's row: a project delete under way (it deletes the
    // members before the types, and this sets the members' type to none) commits first.
    await projectMustExist(tx, project.id);
    // Locked before counting: a pipeline save or import holding the type waits out its commit and is counted (lock.ts).
    if (!(await lockTypeForDelete(tx, type.id))) throw notFound("contributor type");
    const nodes = await tx.pipelineNode.count({ where: { contributorTypeId: type.id } });
    const tasks = await tx.task.count({ where: { assignedTypeId: type.id, status: { notIn: ["completed", "cancelled"] } } });
    if (nodes || tasks) throw conflict("type_in_use", "Pipeline nodes or open tasks still require this contributor type.", { nodes, tasks });
    // Its members' rows (set to no type by the delete below) before any task row: the order a
    // change of their standing takes them (member, then the tasks kept for them: queue/leave.ts).
    await tx.$queryRaw`SELECT 1 FROM "ProjectMember" WHERE "contributorTypeId" = ${type.id} ORDER BY "userId" FOR NO KEY UPDATE`;
    const now = deps.clock.now();
    const step = JSON.stringify({ by: actor.userId, assignment: { from: { contributorTypeId: type.id }, to: null }, reason: "type_deleted" });
    const [{ n }] = await tx.$queryRaw<[{ n: number }]>`
      WITH cleared AS (
        UPDATE "Task" SET "assignedTypeId" = NULL, "updatedAt" = ${now}
        WHERE "assignedTypeId" = ${type.id} AND "projectId" = ${project.id} AND "status" = 'cancelled'
        RETURNING "id", "projectId", "nodeId"
      ), steps AS (
        INSERT INTO "TaskEvent" (id, "taskId", "projectId", "type", "userId", "nodeId", "data", "createdAt")
        SELECT pipelines_event_id(), c."id", c."projectId", 'updated', NULL, c."nodeId", ${step}::jsonb, ${now} FROM cleared c ORDER BY c."id"
        RETURNING 1
      )
      SELECT count(*)::int AS n FROM steps`;
    await tx.contributorType.delete({ where: { id: type.id } });
    await recordAudit(tx, actor, {
      orgId: project.orgId,
      action: "contributor_type.delete",
      resourceType: "contributor_type",
      resourceId: type.id,
      before: type,
      ...(n ? { after: { cancelledTasksUnassigned: n } } : {}),
    });
  });
  deps.bus.publish({ type: "project.changed", orgId: project.orgId, projectId: project.id });
}
