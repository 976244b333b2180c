// Whether a task's assignment applies where it waits now, for the views: the
// rule every placement follows (PostgreSQL's pipelines_assignment_applies,
// queue/placement.ts). The assignment itself stays the task's for its whole life.
import type { Db } from "../../infra/prisma";

type Assignable = { id: string; projectId: string; nodeId: string; status: string; assignedUserId: string | null; assignedTypeId: string | null };

/** Each task with `assignmentApplies`: null without an assignment or once completed. One query for the page. */
export async function withAssignment<T extends Assignable>(db: Db, tasks: T[]): Promise<Array<T & { assignmentApplies: boolean | null }>> {
  const asked = tasks.filter((t) => t.status !== "completed" && (t.assignedUserId || t.assignedTypeId));
  const applies = new Map<string, boolean>();
  if (asked.length) {
    const col = <K extends keyof Assignable>(k: K) => asked.map((t) => t[k]);
    const rows = await db.$queryRaw<Array<{ id: string; applies: boolean }>>`
      SELECT r.id, pipelines_assignment_applies(r.project, r.node, r.au, r.at) AS applies
      FROM unnest(${col("id")}::text[], ${col("projectId")}::text[], ${col("nodeId")}::text[],
                  ${col("assignedUserId")}::text[], ${col("assignedTypeId")}::text[]) AS r(id, project, node, au, at)`;
    for (const r of rows) applies.set(r.id, r.applies);
  }
  return tasks.map((t) => ({ ...t, assignmentApplies: applies.get(t.id) ?? null }));
}
