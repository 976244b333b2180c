// Reads a project's tasks with their evaluations in batches, in (createdAt, id)
// order (an index serves it), so an export of any size holds one batch in memory.
import { Prisma } from "@prisma/client";
import type { Db } from "../../infra/prisma";
import { taskWhere, type TaskFilters } from "./filters";
import { readRecords, type TaskRecord } from "./records";

export const EXPORT_BATCH = 1000;

export async function* taskBatches(db: Db, projectId: string, filters: TaskFilters, batch = EXPORT_BATCH): AsyncGenerator<TaskRecord[]> {
  const where = taskWhere(projectId, filters);
  const order = Prisma.sql`t."createdAt", t."id"`;
  let last: TaskRecord | undefined;
  for (;;) {
    const after = last ? Prisma.sql`AND (t."createdAt", t."id") > (${last.createdAt}, ${last.id})` : Prisma.empty;
    const rows = await readRecords(db, where, after, order, batch);
    if (rows.length) yield rows;
    if (rows.length < batch) return;
    last = rows[rows.length - 1];
  }
}
