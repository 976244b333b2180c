// A pipeline after its creation: renamed or described; archived (it takes no
// new tasks, open.ts) and restored; or replaced by a new version: a new
// pipeline linked to it (`previousId`, `version` + 1), the old one archived in
// the same transaction. New work goes to the new version; the tasks in flight
// finish on the definition they started on, since nodes never change. One that
// never held a task may also be deleted (delete.ts).
//
// Archive, restore and a new version take the project's writers lock
// exclusively (projects/lock.ts); an import or a run holds it shared while it
// reads the pipeline's status and inserts its tasks. So a writer under way
// commits first, or it sees the archive and refuses. The pipeline row's own
// lock would not serialise them: an UPDATE takes FOR NO KEY UPDATE, which the
// FOR KEY SHARE a task insert takes through its foreign key does not wait for.
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, notFound } from "../../http/errors";
import { recordAudit } from "../audit/record";
import { LIFECYCLE_TX, lockWriters } from "../projects/lock";
import { latestVersion } from "./open";
import type { PipelineInput } from "./schema";
import { insertPipeline, typesMustExist, withNodes } from "./service";

type Pipeline = { id: string; projectId: string; project: { orgId: string } };
type Status = "active" | "archived";

const superseded = (currentPipelineId: string | null) =>
  conflict("pipeline_superseded", "A newer version of this pipeline exists: change that one.", { currentPipelineId });

// Every instance drops its cached definitions (queue/catalog.ts): node names, what is archived, new nodes.
const published = (deps: Deps, p: Pipeline) => deps.bus.publish({ type: "project.changed", orgId: p.project.orgId, projectId: p.projectId });
const reload = (deps: Deps, id: string) => deps.db.pipeline.findUniqueOrThrow({ where: { id }, include: withNodes });

/** Name and description; what is already so is not written (nor audited). */
export async function updatePipeline(deps: Deps, actor: Actor, p: Pipeline, input: { name?: string; description?: string }) {
  const changed = await deps.db.$transaction(async (tx) => {
    // Locked so two edits take turns, in the mode task inserts (FOR KEY SHARE) do not wait for.
    const [row] = await tx.$queryRaw<Array<{ name: string; description: string }>>`
      SELECT "name", "description" FROM "Pipeline" WHERE "id" = ${p.id} FOR NO KEY UPDATE`;
    if (!row) throw notFound("pipeline");
    const data: { name?: string; description?: string } = {};
    if (input.name !== undefined && input.name !== row.name) data.name = input.name;
    if (input.description !== undefined && input.description !== row.description) data.description = input.description;
    if (!Object.keys(data).length) return false;
    await tx.pipeline.update({ where: { id: p.id }, data });
    const before = Object.fromEntries(Object.keys(data).map((k) => [k, row[k as keyof typeof row]]));
    await recordAudit(tx, actor, { orgId: p.project.orgId, action: "pipeline.update", resourceType: "pipeline", resourceId: p.id, before, after: data });
    return true;
  });
  if (changed) published(deps, p);
  return reload(deps, p.id);
}

/**
 * Archive or restore; asking for the status it has changes and records nothing. A version
 * that was replaced stays archived (409 pipeline_superseded): one version of a line takes work.
 */
export async function setPipelineStatus(deps: Deps, actor: Actor, p: Pipeline, status: Status) {
  const changed = await deps.db.$transaction(async (tx) => {
    await lockWriters(tx, p.projectId);
    const row = await tx.pipeline.findUnique({ where: { id: p.id }, select: { status: true, next: { select: { id: true } } } });
    if (!row) throw notFound("pipeline");
    if (row.status === status) return false;
    if (status === "active" && row.next) throw superseded(await latestVersion(tx, p.id));
    await tx.pipeline.update({ where: { id: p.id }, data: { status } });
    await recordAudit(tx, actor, {
      orgId: p.project.orgId,
      action: status === "archived" ? "pipeline.archive" : "pipeline.restore",
      resourceType: "pipeline",
      resourceId: p.id,
      before: { status: row.status },
      after: { status },
    });
    return true;
  }, LIFECYCLE_TX);
  if (changed) published(deps, p);
  return reload(deps, p.id);
}

/** The next version of the newest one: a new pipeline with this definition; the previous one archived. */
export async function newVersion(deps: Deps, actor: Actor, p: Pipeline, input: PipelineInput) {
  const created = await deps.db.$transaction(async (tx) => {
    await lockWriters(tx, p.projectId);
    const prev = await tx.pipeline.findUnique({
      where: { id: p.id },
      select: { id: true, status: true, version: true, description: true, next: { select: { id: true } } },
    });
    if (!prev) throw notFound("pipeline");
    // Versions form a line (previousId is unique): a second edit of the same version is refused, not forked.
    if (prev.next) throw superseded(await latestVersion(tx, p.id));
    await typesMustExist(tx, p.projectId, input);
    const next = await insertPipeline(tx, p.projectId, input, undefined, prev);
    await recordAudit(tx, actor, {
      orgId: p.project.orgId,
      action: "pipeline.version",
      resourceType: "pipeline",
      resourceId: next.id,
      before: { pipelineId: prev.id, version: prev.version },
      after: { name: next.name, version: next.version, nodes: next.nodes.map((n) => ({ key: n.key, kind: n.kind, contributorTypeId: n.contributorTypeId })) },
    });
    if (prev.status === "active") {
      await tx.pipeline.update({ where: { id: prev.id }, data: { status: "archived" } });
      await recordAudit(tx, actor, {
        orgId: p.project.orgId,
        action: "pipeline.archive",
        resourceType: "pipeline",
        resourceId: prev.id,
        before: { status: "active" },
        after: { status: "archived", replacedBy: next.id },
      });
    }
    return next;
  }, LIFECYCLE_TX);
  published(deps, p);
  return created;
}
