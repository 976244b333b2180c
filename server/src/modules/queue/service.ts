// Reads of the work queue for contributors and admins; the writes are the
// claim engine's (server/src/queue/engine.ts).
import type { Actor } from "../../access/actor";
import { authorize } from "../../access/authorize";
import { contributorIn } from "../../access/roles";
import type { Deps } from "../../deps";
import { notFound } from "../../http/errors";
import { UNTYPED_CLAIM_LIMIT } from "../../queue/catalog";
import type { Reason } from "../../queue/codes";
import { countsFor, getCatalog, loadHeldClaim, scheduleOf, type ClaimResult } from "../../queue/engine";
import { sqlOf } from "../../queue/pg";
import { reworkOf } from "../../queue/rework";

/**
 * loadProject for the hot path: the project's org comes from the engine's
 * cached catalog (a project never changes org; a deleted one bumps the config
 * version, so every instance reloads and answers 404).
 */
export async function loadWorkProject(deps: Deps, actor: Actor, projectId: string) {
  const cat = await getCatalog(deps, projectId);
  if (!cat) throw notFound("project");
  authorize(actor, "project.work", { id: projectId, orgId: cat.orgId }, "project");
  return cat;
}

/**
 * The contributor's active claims in a project, through pg: every watching
 * contributor re-reads the queue every 10–12 s while its counts move, and a
 * Prisma query costs ~0.7 ms of event-loop CPU to compile (bench/README.md).
 */
function myActiveClaims(deps: Deps, projectId: string, userId: string) {
  return sqlOf(deps).query<{ id: string; taskId: string; nodeId: string; token: string; expiresAt: Date }>(
    `SELECT id, "taskId", "nodeId", token, "expiresAt" FROM "Claim"
     WHERE "projectId" = $1 AND "userId" = $2 AND outcome = 'active' ORDER BY "claimedAt", id`,
    [projectId, userId],
  );
}

/**
 * Per node, the tasks waiting as rework for this contributor. Their own ready set
 * (counted in Redis) holds those and the ones assigned to them, and Redis cannot tell
 * the two apart; this is the cheap half: asked only when that set is not empty, by
 * the partial index on reworkUserId (migration task_rework_user_index), so it reads
 * the caller's returned tasks, never the project's queue.
 */
async function myRework(deps: Deps, projectId: string, userId: string): Promise<Map<string, number>> {
  const rows = await sqlOf(deps).query<{ nodeId: string; n: number }>(
    `SELECT "nodeId", count(*)::int AS n FROM "Task"
     WHERE "reworkUserId" = $2 AND "projectId" = $1 AND status = 'queued' GROUP BY "nodeId"`,
    [projectId, userId],
  );
  return new Map(rows.map((r) => [r.nodeId, r.n]));
}

/** The catalog and the caller's counts at its nodes, read again once if a change made the catalog old. */
async function workNodes(deps: Deps, projectId: string, userId: string, typeId: string | null, again = true) {
  const cat = await getCatalog(deps, projectId);
  if (!cat) throw notFound("project");
  const nodes = cat.ordered.filter((n) => n.kind !== "end" && (!n.typeId || n.typeId === typeId));
  const counts = await countsFor(deps, cat, userId, typeId, nodes);
  if (!counts.current && again) return workNodes(deps, projectId, userId, typeId, false);
  return { cat, nodes, counts };
}

export async function queueView(deps: Deps, actor: Actor, projectId: string) {
  const member = contributorIn(actor, projectId)!;
  const typeId = member.contributorTypeId;
  const [{ cat, nodes: all, counts }, mine] = await Promise.all([
    workNodes(deps, projectId, actor.userId, typeId),
    myActiveClaims(deps, projectId, actor.userId),
  ]);
  // An archived pipeline's nodes are listed while they hold work for the caller (its tasks in
  // flight finish there), so old versions do not stay in the queue once emptied.
  const nodes = all.filter((n) => n.pipelineStatus === "active" || counts.available.get(n.id) || mine.some((c) => c.nodeId === n.id));
  const rework = [...counts.mine.values()].some((n) => n > 0) ? await myRework(deps, projectId, actor.userId) : new Map<string, number>();
  const type = typeId ? cat.types.get(typeId) : undefined;
  const schedule = scheduleOf(type, deps.clock.now());
  const limit = type?.claimLimit ?? UNTYPED_CLAIM_LIMIT;
  const common: Reason | undefined =
    cat.status !== "active" ? "project_archived"
    : !schedule.open ? "outside_schedule"
    : counts.held >= limit ? "claim_limit_reached"
    : type?.poolLimit && counts.heldByType >= type.poolLimit ? "pool_limit_reached"
    : undefined;
  const closesAt = schedule.open && schedule.closesAt ? schedule.closesAt.toISOString() : undefined;
  return {
    contributorType: type ? { id: type.id, name: type.name } : null,
    claimLimit: limit,
    items: nodes.map((n) => {
      const available = counts.available.get(n.id) ?? 0;
      const reason = common ?? (available === 0 ? "queue_empty" : undefined);
      return {
        nodeId: n.id,
        pipelineId: n.pipelineId,
        pipelineName: n.pipelineName,
        pipelineVersion: n.pipelineVersion,
        key: n.key,
        name: n.name,
        kind: n.kind as "task" | "review",
        leaseSeconds: n.leaseSeconds,
        available,
        reservedForMe: reservedOf(counts.mine.get(n.id) ?? 0, rework.get(n.id) ?? 0),
        myClaims: mine.filter((c) => c.nodeId === n.id).map((c) => ({ id: c.id, taskId: c.taskId, token: c.token, expiresAt: c.expiresAt.toISOString() })),
        canClaim: !reason,
        ...(reason ? { reason } : {}),
        ...(reason === "outside_schedule" && schedule.opensAt ? { opensAt: schedule.opensAt.toISOString() } : {}),
        ...(closesAt ? { closesAt } : {}),
      };
    }),
  };
}

/** The caller's own ready set split: rework as PostgreSQL counts it (read a moment apart: never above the set), the rest assigned. */
function reservedOf(mine: number, rework: number) {
  const r = Math.min(mine, rework);
  return { rework: r, assigned: mine - r };
}

/** The holder's live claim with its task, as the claim answer gave it (after a reload of the page). */
export async function readHeldClaim(deps: Deps, actor: Actor, claimId: string): Promise<ClaimResult> {
  const { claim, cat, node } = await loadHeldClaim(deps, actor, claimId);
  const [row, task] = await Promise.all([
    deps.db.claim.findUniqueOrThrow({ where: { id: claimId }, select: { token: true } }),
    deps.db.task.findUniqueOrThrow({ where: { id: claim.taskId } }),
  ]);
  const reviewedNode = node.reviewsNodeId ? cat.nodes.get(node.reviewsNodeId) : undefined;
  const [sub, rework] = await Promise.all([
    reviewedNode
      ? deps.db.submission.findFirst({ where: { taskId: claim.taskId, nodeId: reviewedNode.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] })
      : null,
    node.kind === "task" ? reworkOf(deps, claim.taskId, node.id) : null,
  ]);
  return {
    claim: { id: claim.id, taskId: claim.taskId, nodeId: claim.nodeId, token: row.token, expiresAt: claim.expiresAt },
    task: { id: task.id, pipelineId: task.pipelineId, priority: task.priority, payload: task.payload, createdAt: task.createdAt.toISOString(), runId: task.runId },
    node,
    reviewed:
      sub && reviewedNode
        ? { submissionId: sub.id, answers: sub.answers as Record<string, unknown>, attempt: sub.attempt, createdAt: sub.createdAt.toISOString(), node: reviewedNode }
        : null,
    rework,
  };
}

/** Every active claim of a project, for its admins (no tokens). */
export async function activeClaims(deps: Deps, projectId: string, limit: number, cursor?: string) {
  const rows = await deps.db.claim.findMany({
    where: { projectId, outcome: "active", ...(cursor ? { id: { gt: cursor } } : {}) },
    orderBy: { id: "asc" },
    take: limit + 1,
  });
  const users = new Map(
    (await deps.db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.userId))] } }, select: { id: true, name: true, email: true } })).map((u) => [u.id, u]),
  );
  return rows.map((c) => ({
    id: c.id,
    taskId: c.taskId,
    nodeId: c.nodeId,
    user: users.get(c.userId) ?? { id: c.userId, name: "(removed)", email: "" },
    claimedAt: c.claimedAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
  }));
}
