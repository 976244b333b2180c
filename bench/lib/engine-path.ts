// P1's "engine without HTTP and without PostgreSQL": the decision half of
// `claimTask` (server/src/queue/claim.ts) — contributor check, cached catalog,
// node type, schedule, then the one claim script with the real keys and limits
// — and the real `settle` of a completed task (its script checks the holder's
// claim id, Redis's fencing). PostgreSQL's record of the claim (pipelines_claim)
// and of the submission are what P2 adds; they are left out here so the line is
// comparable with the minimal Lua line and BullMQ, which write no database.
//
// This mirrors claimTask's key and argument lists; runScript checks the key
// count against the script's file name, so a changed script contract fails
// loudly here instead of measuring something else.
import type { Actor } from "../../server/src/access/actor";
import { contributorIn } from "../../server/src/access/roles";
import type { Deps } from "../../server/src/deps";
import { getCatalog, scheduleOf, UNTYPED_CLAIM_LIMIT } from "../../server/src/queue/catalog";
import { workableNode } from "../../server/src/queue/claim";
import { Code } from "../../server/src/queue/codes";
import { settle, settleCall, settleClaimCall } from "../../server/src/queue/follow";
import { newId } from "../../server/src/queue/ids";
import { claimKeys, keysOf, NO_TYPE, warnScore } from "../../server/src/queue/keys";
import { ensureLoaded } from "../../server/src/queue/rebuild";
import { retryStale } from "../../server/src/queue/stale";
import { runScript } from "../../server/src/queue/scripts";

export interface Decided {
  taskId: string;
  claimId: string;
}

/**
 * One claim decided in Redis exactly as claimTask decides it; null when the queue
 * is empty. With `after` (submit and take the next), the completed claim's settle
 * and this claim are one script call, as claimTask runs them (settle-claim-15.lua).
 */
export async function decideClaim(deps: Deps, actor: Actor, projectId: string, nodeId: string, after?: Decided): Promise<Decided | null> {
  const member = contributorIn(actor, projectId);
  if (!member) throw new Error("not a contributor");
  await retryStale(deps, projectId);
  for (;;) {
    const cat = await getCatalog(deps, projectId);
    if (!cat || cat.status !== "active") throw new Error("project missing or archived");
    const node = await workableNode(deps, cat, nodeId, member.contributorTypeId);
    const type = member.contributorTypeId ? cat.types.get(member.contributorTypeId) : undefined;
    const now = deps.clock.now();
    if (!scheduleOf(type, now).open) throw new Error("outside schedule");
    const k = keysOf(projectId);
    const typeKey = member.contributorTypeId ?? NO_TYPE;
    const claimId = newId();
    const deadline = now.getTime() + node.leaseSeconds * 1000;
    const keys = claimKeys(k, node.id, actor.userId, typeKey);
    const args = [
      cat.version, actor.userId, typeKey, node.id, claimId, type?.claimLimit ?? UNTYPED_CLAIM_LIMIT, type?.poolLimit ?? 0,
      deadline, warnScore(deadline - deps.config.CLAIM_EXPIRING_SECONDS * 1000), "", node.kind === "review" ? "1" : "0",
    ];
    const fused = after && settleClaimCall(settleCall(projectId, after.taskId, after.claimId, null, null), keys, args);
    after = undefined;
    const r = fused
      ? (await runScript<[number, number | [string, string, number, string]]>(deps.redis, "settle-claim", fused.keys, fused.args))[1]
      : await runScript<number | [string, string, number, string]>(deps.redis, "claim", keys, args);
    if (r === Code.QueueEmpty) return null;
    if (r === Code.NotLoaded) {
      await ensureLoaded(deps, projectId);
      continue;
    }
    if (typeof r === "number") throw new Error(`claim script answered ${r}`);
    return { taskId: r[0], claimId };
  }
}

/** The task completed: Redis follows exactly as after a committed submission at the last node. */
export function settleCompleted(deps: Deps, projectId: string, d: Decided): Promise<void> {
  return settle(deps, projectId, d.taskId, d.claimId, null, null);
}
