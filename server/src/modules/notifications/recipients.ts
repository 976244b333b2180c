// Who is told that a task reached a review node: every contributor of the
// project who could claim it there now — of the node's required type (anyone,
// if it requires none), inside their type's schedule — except the author of
// the submission under review (nobody reviews their own work). An assignment
// does not narrow this: it applies at task nodes only, and review nodes serve
// their type (queue/placement.ts), so an assigned task is reviewed by the same
// people as any other.
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
  const submission = node.reviewsNodeId
    ? await deps.db.submission.findFirst({
        where: { taskId, nodeId: node.reviewsNodeId },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { userId: true },
      })
    : null;
  const members = await deps.db.projectMember.findMany({
    where: {
      projectId: node.projectId,
      role: "contributor",
      ...(node.contributorTypeId ? { contributorTypeId: node.contributorTypeId } : {}),
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
