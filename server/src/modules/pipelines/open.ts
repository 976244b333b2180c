// Whether a pipeline takes new tasks (imports, agent runs). An archived one
// answers 409 pipeline_archived; when a newer version replaced it, the answer
// names the newest (`details.currentPipelineId`), so a client still holding the
// old id (an agent's configuration) can follow. The tasks already in it are
// not concerned: they are claimed, submitted and reviewed to the end.
import { conflict, notFound } from "../../http/errors";
import type { Db, Tx } from "../../infra/prisma";

/** The newest version of the pipeline's line, if a newer one than it exists. */
export async function latestVersion(db: Tx | Db, pipelineId: string): Promise<string | null> {
  const [row] = await db.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE v(id, depth) AS (
      SELECT "id", 1 FROM "Pipeline" WHERE "previousId" = ${pipelineId}
      UNION ALL SELECT p."id", v.depth + 1 FROM "Pipeline" p JOIN v ON p."previousId" = v.id)
    SELECT id FROM v ORDER BY depth DESC LIMIT 1`;
  return row?.id ?? null;
}

/**
 * Refuses new tasks for an archived pipeline. `status` as the caller read it; read
 * here when not given (a writer, after the project's shared lock: projects/lock.ts).
 */
export async function pipelineMustTakeTasks(db: Tx | Db, pipelineId: string, status?: string | null): Promise<void> {
  if (status === undefined) status = (await db.pipeline.findUnique({ where: { id: pipelineId }, select: { status: true } }))?.status ?? null;
  if (status === null) throw notFound("pipeline");
  if (status === "active") return;
  const current = await latestVersion(db, pipelineId);
  throw current
    ? conflict("pipeline_archived", "This pipeline was replaced by a newer version: send new tasks to that one (currentPipelineId).", { currentPipelineId: current })
    : conflict("pipeline_archived", "This pipeline is archived: no new tasks can enter it. Restore it first.");
}
