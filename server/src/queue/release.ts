// Claims that end without a submission: released by the holder, revoked by an
// admin, expired by the sweeper. PostgreSQL ends them (conditionally), then
// Redis puts each task back at its node and the events go out.
import type { Actor } from "../access/actor";
import { authorize } from "../access/authorize";
import type { Deps } from "../deps";
import { conflict, notFound } from "../http/errors";
import { recordAudit } from "../modules/audit/record";
import type { Catalog } from "./catalog";
import { claimLost } from "./codes";
import { settle } from "./follow";
import { loadHeldClaim, nodeOfClaim } from "./held";
import { endClaims, type EndedClaim } from "./sql";
import { prismaSql, sqlOf } from "./pg";

export async function releaseClaim(deps: Deps, actor: Actor, claimId: string, token: string): Promise<void> {
  const { cat } = await loadHeldClaim(deps, actor, claimId);
  const ended = await endClaims(sqlOf(deps), { ids: [claimId], outcome: "released", now: deps.clock.now(), token, userId: actor.userId, settles: true });
  if (!ended.length) throw claimLost();
  await putBack(deps, cat, ended, "released");
}

export async function revokeClaim(deps: Deps, actor: Actor, claimId: string): Promise<void> {
  const claim = await deps.db.claim.findUnique({ where: { id: claimId } });
  if (!claim) throw notFound("claim");
  const { cat } = await nodeOfClaim(deps, claim);
  authorize(actor, "claim.revoke", { orgId: cat.orgId, projectId: claim.projectId }, "claim");
  const ended = await deps.db.$transaction(async (tx) => {
    const e = await endClaims(prismaSql(tx), { ids: [claimId], outcome: "revoked", now: deps.clock.now(), actorId: actor.userId, settles: true });
    if (e.length) {
      await recordAudit(tx, actor, {
        orgId: cat.orgId, action: "claim.revoke", resourceType: "claim", resourceId: claimId,
        before: { userId: claim.userId, taskId: claim.taskId, nodeId: claim.nodeId, outcome: "active" }, after: { outcome: "revoked" },
      });
    }
    return e;
  });
  if (!ended.length) throw conflict("claim_not_active", "This claim has already ended.");
  await putBack(deps, cat, ended, "revoked");
}

/** The sweeper's expiry: each claim only while its deadline is still the one seen due. */
export async function expireClaims(deps: Deps, cat: Catalog, due: Array<{ claimId: string; deadline: number }>): Promise<EndedClaim[]> {
  if (!due.length) return [];
  const ended = await endClaims(sqlOf(deps), { ids: due.map((d) => d.claimId), deadlines: due.map((d) => d.deadline), outcome: "expired", now: deps.clock.now(), settles: true });
  await putBack(deps, cat, ended, "expired");
  return ended;
}

async function putBack(deps: Deps, cat: Catalog, ended: EndedClaim[], reason: "released" | "expired" | "revoked"): Promise<void> {
  for (const e of ended) {
    const node = cat.nodes.get(e.nodeId) ?? (await nodeOfClaim(deps, { projectId: cat.projectId, nodeId: e.nodeId })).node;
    await settle(deps, cat.projectId, e.taskId, e.claimId, node, e);
    deps.bus.publish({
      type: "task.released", orgId: cat.orgId, projectId: cat.projectId, pipelineId: e.pipelineId, nodeId: e.nodeId,
      taskId: e.taskId, claimId: e.claimId, userId: e.userId, reason,
    });
  }
}
