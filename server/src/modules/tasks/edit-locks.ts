// The rows a task edit reads FOR SHARE before its claim and task rows, in the
// project's lock order (types, then members: docs/architecture.md). The types
// first, in id order: the task's assigned type and the one the edit names; then
// the member rows, by user: the task's assignee and the person the edit names.
// A type's delete takes its row FOR UPDATE, then its members' rows (by user),
// then its cancelled tasks: a member row read before the type's would deadlock
// with it when the person is of that type. The assigned type's row makes a
// reopen wait for the delete (and find the assignment cleared) or be counted by
// it; the assignee's row, a change of their role or type wait for this edit
// (where the task goes depends on it), and a claim's end here finds it locked
// already (queue/sql.ts endClaims).
import { invalidRequest } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { shareTypes } from "../contributor-types/lock";
import type { Assignment } from "./edit";

export interface Assignee {
  userId: string | null;
  typeId: string | null;
}

const present = <T>(xs: Array<T | null>): T[] => [...new Set(xs.filter((x): x is T => x !== null))];

/**
 * Locks them and checks what the edit names as an import checks it (tasks/service.ts),
 * minus the first node: the person is a contributor of the project, the type one of
 * its types, so a removal or a type's delete waits for this change or is seen by it.
 * Whether they may work the task's current node is not asked: the assignment is the
 * task's for life and applies where they may (`assignmentApplies`). Answers the task's
 * assignment as read before the locks: the caller compares it with the locked task row.
 */
export async function shareAssignments(tx: Tx, task: { id: string; projectId: string }, a: Assignment | undefined): Promise<Assignee> {
  const [t] = await tx.$queryRaw<Assignee[]>`
    SELECT "assignedUserId" AS "userId", "assignedTypeId" AS "typeId" FROM "Task" WHERE id = ${task.id}`;
  const current: Assignee = { userId: t?.userId ?? null, typeId: t?.typeId ?? null };
  const namedType = a && "contributorTypeId" in a ? a.contributorTypeId : null;
  const namedUser = a && "userId" in a ? a.userId : null;

  const types = await shareTypes(tx, task.projectId, present([current.typeId, namedType]));
  if (namedType && !types.has(namedType)) {
    throw invalidRequest("There is no such contributor type in this project.", {
      issues: [{ in: "body", path: "assignment.contributorTypeId", message: "No such contributor type in this project" }],
    });
  }
  const users = present([current.userId, namedUser]);
  const members = users.length
    ? await tx.$queryRaw<Array<{ userId: string; role: string }>>`
        SELECT "userId", "role" FROM "ProjectMember" WHERE "projectId" = ${task.projectId} AND "userId" = ANY(${users}::text[]) ORDER BY "userId" FOR SHARE`
    : [];
  if (namedUser && !members.some((m) => m.userId === namedUser && m.role === "contributor")) {
    throw invalidRequest("Tasks can be assigned only to a contributor of this project.", {
      issues: [{ in: "body", path: "assignment.userId", message: "Not a contributor of this project" }],
    });
  }
  return current;
}
