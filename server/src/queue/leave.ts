// A person leaves projects (taken off a team, or out of the org), or their
// role there changes: in the same transaction as the change, the live claims
// they took under a standing they lost are revoked, and where they are no
// contributor any more the tasks kept for them (an assignment to them, or
// rework returned to them) are opened to whoever may work the node, the
// assignment cleared for good (coming back later is a new start: it does not
// return). Given another contributor type, rework returned to them at nodes that
// require a type they no longer have opens; an assignment to them stays the
// task's, and the rebuild places it by their new type (it gives way at their
// old type's nodes, applies at the new one's: queue/placement.ts). Otherwise
// such a task would wait for someone who can no longer claim it. After commit,
// Redis is rebuilt from PostgreSQL for each project touched, and the holders'
// sockets hear of the revocation.
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
  /** The type they were. */
  fromTypeId: string | null;
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
    else lost.retyped.push({ projectId: b.projectId, typeId: a.contributorTypeId, fromTypeId: b.contributorTypeId });
  }
  return lost;
}

/**
 * Revokes the person's live claims in `projectIds` and reopens the tasks kept
 * for them in `reopenIn`, and in `retyped` those at nodes requiring another type
 * (there an assignment stays, to apply wherever their new type may work).
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
    // Reopened: rework of theirs at a node requiring another type, and tasks
    // assigned to them waiting at their old type's nodes (no longer theirs
    // there). Touched too when anything is assigned to them: the rebuild moves
    // it to them at their new type's nodes.
    const [n] = await tx.$queryRaw<Array<{ reopened: number; assigned: boolean }>>`
      WITH rework AS (
        UPDATE "Task" t SET "reworkUserId" = NULL, "updatedAt" = ${deps.clock.now()}
        FROM "PipelineNode" n
        WHERE n."id" = t."nodeId" AND t."projectId" = ${r.projectId} AND t."status" <> 'completed' AND t."reworkUserId" = ${userId}
          AND n."contributorTypeId" IS NOT NULL AND n."contributorTypeId" IS DISTINCT FROM ${r.typeId}::text
        RETURNING t.id
      ), assigned AS (
        SELECT t.id, n."kind" = 'task' AND n."contributorTypeId" = ${r.fromTypeId}::text AS "gaveWay"
        FROM "Task" t JOIN "PipelineNode" n ON n."id" = t."nodeId"
        WHERE t."projectId" = ${r.projectId} AND t."status" <> 'completed' AND t."assignedUserId" = ${userId}
      )
      SELECT (SELECT count(*) FROM (SELECT id FROM rework UNION SELECT id FROM assigned WHERE "gaveWay") x)::int AS reopened,
        EXISTS (SELECT 1 FROM assigned) AS assigned`;
    freed.reopened += n!.reopened;
    if (n!.reopened || n!.assigned) retypedIn.push(r.projectId);
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
