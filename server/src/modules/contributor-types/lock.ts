// Whatever comes to require a contributor type (a pipeline node, a task
// assigned to it, a member given it) reads the type's row FOR SHARE in its own
// transaction; the delete takes the row FOR UPDATE before it counts what still
// requires it. So whichever commits second sees the first: the delete counts
// the new node or task (409 type_in_use), or the writer finds the type gone.
// PipelineNode.contributorTypeId and Task.assignedTypeId carry no foreign key:
// this lock is what keeps them from naming a deleted type.
import type { Tx } from "../../infra/prisma";

/** The ids among `ids` that are types of this project, locked FOR SHARE (in id order) until the transaction ends. */
export async function shareTypes(tx: Tx, projectId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT "id" FROM "ContributorType" WHERE "projectId" = ${projectId} AND "id" = ANY(${ids}::text[]) ORDER BY "id" FOR SHARE`;
  return new Set(rows.map((r) => r.id));
}

/** Locks the type for its delete; false when it is already gone. */
export async function lockTypeForDelete(tx: Tx, typeId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM "ContributorType" WHERE "id" = ${typeId} FOR UPDATE`;
  return rows.length > 0;
}
