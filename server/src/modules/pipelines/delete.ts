// Deleting a pipeline: only one that never held work (no task, whatever its
// state, and no agent run) and that no newer version replaced (versions keep
// their line through previousId). Any other is archived instead: 409
// pipeline_in_use, nothing changed. Deleting a newer version leaves the one it
// replaced the newest of its line again, still archived (restore brings it back).
//
// Like an archive, the delete takes the project's writers lock exclusively
// (projects/lock.ts), and imports and runs read the pipeline after taking it
// shared: an import under way commits first and the delete sees its task and
// refuses; one that comes after finds no pipeline and answers 404. So no task
// is ever inserted into a pipeline being deleted (Task's foreign key would
// otherwise cascade it away with the pipeline).
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, notFound } from "../../http/errors";
import { recordAudit } from "../audit/record";
import { LIFECYCLE_TX, lockWriters } from "../projects/lock";

type Pipeline = { id: string; projectId: string; project: { orgId: string } };
type Row = { name: string; description: string; status: string; version: number; previousId: string | null; nextId: string | null; tasks: boolean };

export async function deletePipeline(deps: Deps, actor: Actor, p: Pipeline): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    await lockWriters(tx, p.projectId);
    const [row] = await tx.$queryRaw<Row[]>`
      SELECT p."name", p."description", p."status", p."version", p."previousId",
             (SELECT n."id" FROM "Pipeline" n WHERE n."previousId" = p."id") AS "nextId",
             EXISTS (SELECT 1 FROM "Task" t WHERE t."pipelineId" = p."id") AS "tasks"
      FROM "Pipeline" p WHERE p."id" = ${p.id}`;
    if (!row) throw notFound("pipeline");
    // A run comes with its task, so runs are a backstop, read only when the tasks say none (Run.pipelineId has no index of its own).
    const held = row.tasks || (await tx.run.count({ where: { projectId: p.projectId, pipelineId: p.id }, take: 1 })) > 0;
    if (held || row.nextId) {
      throw conflict(
        "pipeline_in_use",
        row.nextId
          ? "A newer version replaced this pipeline, and versions keep their line: it cannot be deleted. It is archived already."
          : "This pipeline has held tasks, and their history stays with it: it cannot be deleted. Archive it instead: it then takes no new tasks.",
        { tasks: held, nextId: row.nextId },
      );
    }
    const nodes = await tx.pipelineNode.findMany({ where: { pipelineId: p.id }, orderBy: { position: "asc" }, select: { key: true } });
    // Its nodes go with it (foreign key ON DELETE CASCADE).
    await tx.pipeline.delete({ where: { id: p.id } });
    await recordAudit(tx, actor, {
      orgId: p.project.orgId,
      action: "pipeline.delete",
      resourceType: "pipeline",
      resourceId: p.id,
      before: { name: row.name, description: row.description, status: row.status, version: row.version, previousId: row.previousId, nodes: nodes.map((n) => n.key) },
    });
  }, LIFECYCLE_TX);
  // Every instance drops its cached definitions (queue/catalog.ts): the deleted nodes take no claim, leave the queue lists.
  deps.bus.publish({ type: "project.changed", orgId: p.project.orgId, projectId: p.projectId });
}
