// A person leaves projects (taken off a team, or out of the org): in the same
// transaction as the removal their live claims are revoked and the tasks kept
// for them (an assignment to them, or rework returned to them) are opened to
// whoever may work the node. Otherwise such a task would wait for someone who
// can no longer claim it. After commit, Redis is rebuilt from PostgreSQL for
// each project touched, and the holders' sockets hear of the revocation.
import type { Deps } from "../deps";
import type { Tx } from "../infra/prisma";
import { prismaSql } from "./pg";
import { markStale } from "./rebuild";
import { endClaims, type EndedClaim } from "./sql";

export interface Freed {
  projects: Array<{ projectId: string; orgId: string }>;
  ended: Array<EndedClaim & { projectId: string; orgId: string }>;
  reopened: number;
}

export async function freeWorkOf(tx: Tx, deps: Deps, actorId: string, userId: string, projectIds: string[]): Promise<Freed> {
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
  const open = { projectId: { in: projectIds }, status: { not: "completed" } };
  const a = await tx.task.updateMany({ where: { ...open, reworkUserId: userId }, data: { reworkUserId: null } });
  const b = await tx.task.updateMany({ where: { ...open, assignedUserId: userId }, data: { assignedUserId: null } });
  freed.reopened = a.count + b.count;
  const touched = new Set([...freed.ended.map((e) => e.projectId), ...(freed.reopened ? projectIds : [])]);
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
