import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { recordAudit } from "../audit/record";
import { LIFECYCLE_TX, lockProject, refuseDecidedClaims } from "./lock";

type Project = { id: string; orgId: string; name: string; description: string; status: string };

export async function createProject(deps: Deps, actor: Actor, orgId: string, input: { name: string; description: string }) {
  return deps.db.$transaction(async (tx) => {
    // Dated by the server's clock, as everything the dashboards count (its Projects widget).
    const p = await tx.project.create({ data: { orgId, name: input.name, description: input.description, createdAt: deps.clock.now() } });
    await recordAudit(tx, actor, { orgId, action: "project.create", resourceType: "project", resourceId: p.id, after: p });
    return p;
  });
}

export async function updateProject(deps: Deps, actor: Actor, project: Project, input: { name?: string; description?: string }) {
  return deps.db.$transaction(async (tx) => {
    const p = await tx.project.update({ where: { id: project.id }, data: input });
    await recordAudit(tx, actor, {
      orgId: project.orgId,
      action: "project.update",
      resourceType: "project",
      resourceId: p.id,
      before: { name: project.name, description: project.description },
      after: { name: p.name, description: p.description },
    });
    return p;
  });
}

/**
 * Archive or restore; asking for the status the project already has changes and records nothing.
 * Imports, runs and claims under way commit first; those that come after see the new status (lock.ts).
 */
export async function archiveProject(deps: Deps, actor: Actor, project: Project, status: "active" | "archived") {
  const p = await deps.db.$transaction(async (tx) => {
    await lockProject(tx, project.id);
    // Conditional, so two concurrent archives write (and audit) once.
    const changed = await tx.project.updateMany({ where: { id: project.id, status: { not: status } }, data: { status } });
    if (!changed.count) return null;
    if (status === "archived") await refuseDecidedClaims(tx, project.id);
    const p = await tx.project.findUniqueOrThrow({ where: { id: project.id } });
    await recordAudit(tx, actor, {
      orgId: project.orgId,
      action: status === "archived" ? "project.archive" : "project.restore",
      resourceType: "project",
      resourceId: p.id,
      before: { status: project.status },
      after: { status },
    });
    return p;
  }, LIFECYCLE_TX);
  if (!p) return deps.db.project.findUniqueOrThrow({ where: { id: project.id } });
  deps.bus.publish({ type: "project.changed", orgId: p.orgId, projectId: p.id });
  return p;
}

export async function deleteProject(deps: Deps, actor: Actor, project: Project) {
  await deps.db.$transaction(async (tx) => {
    // Writers and claim records under way commit first, and none starts after this (lock.ts).
    await lockProject(tx, project.id);
    // Claim history rows carry no foreign key (they are hot and append-only): clear them here.
    // Claims first: a submit, review or expiry under way holds its claim row, so this
    // waits for it, and the deletes after it see the history it wrote.
    const where = { projectId: project.id };
    await tx.claim.deleteMany({ where });
    await tx.taskEvent.deleteMany({ where });
    await tx.review.deleteMany({ where });
    await tx.submission.deleteMany({ where });
    await tx.run.deleteMany({ where });
    await tx.project.delete({ where: { id: project.id } });
    await recordAudit(tx, actor, { orgId: project.orgId, action: "project.delete", resourceType: "project", resourceId: project.id, before: project });
  }, LIFECYCLE_TX);
  deps.bus.publish({ type: "project.changed", orgId: project.orgId, projectId: project.id });
}
