// A claim as its holder sees it: loaded and authorized, and kept alive.
import type { Actor } from "../access/actor";
import { authorize } from "../access/authorize";
import type { Deps } from "../deps";
import { notFound } from "../http/errors";
import { forgetCatalog, getCatalog, type Catalog, type NodeDef } from "./catalog";
import { claimLost } from "./codes";
import { follow } from "./follow";
import { keysOf, warnLeadMs, warnScore } from "./keys";
import { sqlOf } from "./pg";
import { runScript } from "./scripts";

export interface HeldClaim {
  claim: { id: string; projectId: string; taskId: string; nodeId: string; userId: string; outcome: string; claimedAt: Date; expiresAt: Date };
  cat: Catalog;
  node: NodeDef;
}

// The claims this instance granted, by id: what a claim is about (project, task,
// node, holder, claim time) never changes, so the submit that follows on the same
// instance skips reading it back from PostgreSQL. Only those fields are trusted:
// whether the claim is still active (and its token) is decided by the submit's
// own conditional write, as it always was.
type Granted = Omit<HeldClaim["claim"], "outcome">;
const GRANTED_MAX = 10_000;
const granted = new WeakMap<Deps, Map<string, Granted>>();

function grantedOf(deps: Deps): Map<string, Granted> {
  let m = granted.get(deps);
  if (!m) granted.set(deps, (m = new Map()));
  return m;
}

/** Notes a claim this instance just recorded (claimTask). */
export function rememberGranted(deps: Deps, claim: Granted): void {
  const m = grantedOf(deps);
  if (m.size >= GRANTED_MAX) m.delete(m.keys().next().value!); // the oldest: it has most likely ended
  m.set(claim.id, claim);
}

/** Forgets a claim once it ended here. */
export function forgetGranted(deps: Deps, claimId: string): void {
  granted.get(deps)?.delete(claimId);
}

/**
 * 404 for a missing claim or one of another org; 403 for someone else's; 409 claim_lost once it ended
 * (with `details.outcome`: submitted, released, expired or revoked).
 * `granted: true` (submit) may answer from the claims this instance granted, without
 * the claim's outcome (reported as active): the caller's write must be conditional on it,
 * and an error raised before that write must be re-checked with `stillHeld`.
 */
export async function loadHeldClaim(deps: Deps, actor: Actor, claimId: string, opts: { live?: boolean; granted?: boolean } = {}): Promise<HeldClaim & { fromGrant: boolean }> {
  const known = opts.granted ? granted.get(deps)?.get(claimId) : undefined;
  if (known) {
    const claim = { ...known, outcome: "active" };
    const { cat, node } = await nodeOfClaim(deps, claim);
    authorize(actor, "claim.hold", { orgId: cat.orgId, projectId: claim.projectId, userId: claim.userId }, "claim");
    return { claim, cat, node, fromGrant: true };
  }
  const [claim] = await sqlOf(deps).query<HeldClaim["claim"]>(
    `SELECT id, "projectId", "taskId", "nodeId", "userId", outcome, "claimedAt", "expiresAt" FROM "Claim" WHERE id = $1`,
    [claimId],
  );
  if (!claim) throw notFound("claim");
  const { cat, node } = await nodeOfClaim(deps, claim);
  authorize(actor, "claim.hold", { orgId: cat.orgId, projectId: claim.projectId, userId: claim.userId }, "claim");
  // Told only to the holder (authorized above): a link opened later says how the claim ended.
  if (opts.live !== false && claim.outcome !== "active") throw claimLost({ outcome: claim.outcome, nodeId: claim.nodeId });
  return { claim, cat, node, fromGrant: false };
}

/**
 * For a claim loaded from the grants: an error found before the conditional write
 * (a bad body) answers as it would have after reading the claim — 404/403/409 first.
 */
export async function stillHeld<T>(deps: Deps, actor: Actor, claimId: string, fromGrant: boolean, run: () => T): Promise<T> {
  try {
    return run();
  } catch (err) {
    if (fromGrant) await loadHeldClaim(deps, actor, claimId);
    throw err;
  }
}

export async function nodeOfClaim(deps: Deps, claim: { projectId: string; nodeId: string }): Promise<{ cat: Catalog; node: NodeDef }> {
  let cat = await getCatalog(deps, claim.projectId);
  if (cat && !cat.nodes.has(claim.nodeId)) {
    forgetCatalog(deps, claim.projectId);
    cat = await getCatalog(deps, claim.projectId);
  }
  const node = cat?.nodes.get(claim.nodeId);
  if (!cat || !node) throw notFound("claim");
  return { cat, node };
}

/**
 * Extends the lease to now + lease, never past claim time + the node's maximum,
 * never shorter than it already is. A stale token or a lease already over
 * (even if not yet swept) answers 409 claim_lost.
 */
export async function heartbeat(deps: Deps, actor: Actor, claimId: string, token: string): Promise<Date> {
  const { claim, node } = await loadHeldClaim(deps, actor, claimId);
  const now = deps.clock.now().getTime();
  const wanted = Math.min(now + node.leaseSeconds * 1000, claim.claimedAt.getTime() + node.maxLeaseSeconds * 1000);
  const rows = await sqlOf(deps).query<{ expiresAt: Date }>(
    `UPDATE "Claim" SET "expiresAt" = GREATEST("expiresAt", $1::timestamptz)
     WHERE id = $2 AND token = $3 AND "userId" = $4 AND outcome = 'active' AND "expiresAt" > $5
     RETURNING "expiresAt"`,
    [new Date(wanted), claimId, token, actor.userId, new Date(now)],
  );
  if (!rows.length) throw claimLost();
  const expiresAt = rows[0]!.expiresAt;
  await moveDeadline(deps, claim.projectId, claim.taskId, claimId, expiresAt, node.leaseSeconds);
  return expiresAt;
}

/** Redis follows a lease deadline PostgreSQL holds (and re-arms the expiry warning for a lease of `leaseSeconds`). */
export function moveDeadline(deps: Deps, projectId: string, taskId: string, claimId: string, expiresAt: Date, leaseSeconds: number): Promise<void> {
  const k = keysOf(projectId);
  const ms = expiresAt.getTime();
  const warn = warnScore(ms - warnLeadMs(deps.config.CLAIM_EXPIRING_SECONDS, leaseSeconds));
  return follow(deps, projectId, () => runScript<number>(deps.redis, "extend", [k.epoch, k.claim, k.deadlines], [taskId, claimId, ms, warn]));
}
