// A person leaves projects (taken off a team, or out of the org), or their
// role there changes: in the same transaction as the change, the live claims
// they took under a standing they lost are revoked, and where they are no
// contributor any more the tasks kept for them (an assignment to them, or
// rework returned to them) are opened to whoever may work the node; given
// another contributor type, so are those kept for them at nodes that require a
// type they no longer have. Otherwise such a task would wait for someone who
// can no longer claim it. After commit, Redis is rebuilt from PostgreSQL for
// each project touched, and the holders' sockets hear of the revocation.
import type { Deps } from "../deps";
import type { Tx } from "../infra/prisma";
import { prismaSql } from "./pg";
import { markStale } from "./stale";
import { endClaims, type EndedClaim } from "./sql";

export interface Freed {
  projects: Array<{ projectId: string; orgId: string }>;
  ended: Array<EndedClaim & { projectId: string; orgId: string }>;
  reopened: number;
}

/** A person's standing in one project, before or after a change of roles. */
export interface Standing {
  projectId: string;
  role: string;
  contributorTypeId: string | null;
}

/**
 * What a change of roles takes from a person: the live claims they took as a
 * contributor of a type they no longer are (or as a contributor at all), and,
 * where they are no contributor any more, the tasks kept for them.
 */
export interface Lost {
  revoke: string[];
  reopen: string[];
  /** Projects where they stay a contributor of another type (null: none). */
  retyped: Retyped[];
}

export interface Retyped {
  projectId: string;
  typeId: string | null;
}

export function lostStanding(before: Standing[], after: Standing[]): Lost {
  const now = new Map(after.map((s) => [s.projectId, s]));
  const lost: Lost = { revoke: [], reopen: [], retyped: [] };
  for (const b of before) {
    if (b.role !== "contributor") continue;
    const a = now.get(b.projectId);
    if (a?.role === "contributor" && a.contributorTypeId === b.contributorTypeId) continue;
    lost.revoke.push(b.projectId);
    if (a?.role !== "contributor") lost.reopen.push(b.projectId);
    else lost.retyped.push({ projectId: b.projectId, typeId: a.contributorTypeId });
  }
  return lost;
}

/**
 * Revokes the person's live claims in `projectIds` and reopens the tasks kept
 * for them in `reopenIn`, and in `retyped` those at nodes requiring another type.
 */
export async function freeWorkOf(
  tx: Tx,
  deps: Deps,
  actorId: string,
  userId: string,
  projectIds: string[],
  reopenIn: string[] = projectIds,
  retyped: Retyped[] = [],
): Promise<Freed> {
  const freed: Freed = { projects: [], ended: [], reopened: 0 };
  if (!projectIds.length) return freed;
  const projects = await tx.project.findMany({ where: { id: { in: projectIds } }, select: { id: true, orgId: true } });
  const orgOf = new Map(projects.map((p) => [p.id, p.orgId]));
  const claims = await tx.claim.findMany({ where: { userId, projectId: { in: projectIds }, outcome: "active" }, select: { id: true, projectId: true } });
  if (claims.length) {
    const ended = await endClaims(prismaSql(tx), { ids: claims.map((c) => c.id), outcome: "revoked", now: deps.clock.now(), actorId });
    const projectOf = new Map(claims.map((c) => [c.id, c.projectId]));
    for (const e of ended) {
      const projectId = projectOf.get(e.claimId)!;
      freed.ended.push({ ...e, projectId, orgId: orgOf.get(projectId)! });
    }
  }
  if (reopenIn.length) {
    const open = { projectId: { in: reopenIn }, status: { not: "completed" } };
    const a = await tx.task.updateMany({ where: { ...open, reworkUserId: userId }, data: { reworkUserId: null } });
    const b = await tx.task.updateMany({ where: { ...open, assignedUserId: userId }, data: { assignedUserId: null } });
    freed.reopened = a.count + b.count;
  }
  const retypedIn: string[] = [];
  for (const r of retyped) {
    const n = await tx.$executeRaw`
      UPDATE "Task" t SET
        "assignedUserId" = CASE WHEN t."assignedUserId" = ${userId} THEN NULL ELSE t."assignedUserId" END,
        "reworkUserId" = CASE WHEN t."reworkUserId" = ${userId} THEN NULL ELSE t."reworkUserId" END,
        "updatedAt" = ${deps.clock.now()}
      FROM "PipelineNode" n
      WHERE n."id" = t."nodeId" AND t."projectId" = ${r.projectId} AND t."status" <> 'completed'
        AND (t."assignedUserId" = ${userId} OR t."reworkUserId" = ${userId})
        AND n."contributorTypeId" IS NOT NULL AND n."contributorTypeId" IS DISTINCT FROM ${r.typeId}::text`;
    freed.reopened += n;
    if (n) retypedIn.push(r.projectId);
  }
  const touched = new Set([...freed.ended.map((e) => e.projectId), ...(freed.reopened ? reopenIn : []), ...retypedIn]);
  freed.projects = [...touched].map((projectId) => ({ projectId, orgId: orgOf.get(projectId)! })).filter((p) => p.orgId);
  return freed;
}

/** After the removal committed: Redis follows by a rebuild, the events go out. */
export async function afterFreed(deps: Deps, freed: Freed): Promise<void> {
  for (const p of freed.projects) await markStale(deps, p.projectId).catch(() => {});
  deps.bus.publish(
    freed.ended.map((e) => ({
      type: "task.released" as const, orgId: e.orgId, projectId: e.projectId, pipelineId: e.pipelineId, nodeId: e.nodeId,
      taskId: e.taskId, claimId: e.claimId, userId: e.userId, reason: "revoked" as const,
    })),
  );
  deps.bus.publish(freed.projects.map((p) => ({ type: "project.changed" as const, orgId: p.orgId, projectId: p.projectId })));
}
