// Who is told that a task reached a review node: every contributor of the
// project who could claim it now — of the node's required type (and the task's
// assigned type or person, if any), inside their type's schedule — except the
// author of the submission under review (nobody reviews their own work).
import type { Deps } from "../../deps";
import type { Schedule } from "../contributor-types/schedule";
import { scheduleState } from "../../queue/schedule";

export interface ReviewNode {
  id: string;
  projectId: string;
  contributorTypeId: string | null;
  reviewsNodeId: string | null;
}

export async function reviewersFor(deps: Deps, node: ReviewNode, taskId: string): Promise<string[]> {
  const [task, submission] = await Promise.all([
    deps.db.task.findUnique({ where: { id: taskId }, select: { assignedUserId: true, assignedTypeId: true } }),
    node.reviewsNodeId
      ? deps.db.submission.findFirst({ where: { taskId, nodeId: node.reviewsNodeId }, orderBy: { createdAt: "desc" }, select: { userId: true } })
      : null,
  ]);
  if (!task) return [];
  const types = [node.contributorTypeId, task.assignedTypeId].filter((t): t is string => !!t);
  if (new Set(types).size > 1) return []; // the node and the assignment ask for different types: nobody qualifies
  const members = await deps.db.projectMember.findMany({
    where: {
      projectId: node.projectId,
      role: "contributor",
      ...(types[0] ? { contributorTypeId: types[0] } : {}),
      ...(task.assignedUserId ? { userId: task.assignedUserId } : {}),
    },
    select: { userId: true, contributorType: { select: { schedule: true } } },
  });
  const now = deps.clock.now();
  return members
    .filter((m) => m.userId !== submission?.userId)
    .filter((m) => {
      const schedule = m.contributorType?.schedule as Schedule | null | undefined;
      return !schedule || scheduleState(schedule, now).open;
    })
    .map((m) => m.userId);
}
