// Claim: schedule and node type are checked here (pure, with deps.clock); then
// ONE Lua script decides (eligibility, limits, exclusivity, lease); then
// PostgreSQL records the claim with its fencing token in one round trip
// (shared with the claims decided meanwhile: claim-writer.ts). If
// that record is refused the Redis claim is undone; if its fate is unknown
// (connection lost) the project is rebuilt from PostgreSQL instead.
import { randomBytes } from "node:crypto";
import type { Actor } from "../access/actor";
import { contributorIn } from "../access/roles";
import type { Deps } from "../deps";
import { conflict, forbidden, invalidRequest, notFound, unavailable } from "../http/errors";
import { isUnavailable, toAppError } from "../http/error-handler";
import { neverSentToRedis } from "../infra/redis";
import { forgetCatalog, getCatalog, scheduleOf, UNTYPED_CLAIM_LIMIT, type Catalog, type NodeDef } from "./catalog";
import { Code, codeError } from "./codes";
import { newId } from "./ids";
import { tell } from "./observe";
import { claimKeys, keysOf, NO_TYPE, warnLeadMs, warnScore } from "./keys";
import { rememberGranted } from "./held";
import { ensureLoaded } from "./rebuild";
import { markStale, retryStale } from "./stale";
import { runSettle, settleClaimCall, type SettleCall } from "./follow";
import { runScript } from "./scripts";
import type { ClaimRecord } from "./sql";
import { claimWriterOf } from "./claim-writer";
import { reworkOf, type Rework } from "./rework";
import { sqlOf } from "./pg";

export interface ClaimResult {
  claim: { id: string; taskId: string; nodeId: string; token: string; expiresAt: Date };
  task: { id: string; pipelineId: string; priority: number; payload: unknown; createdAt: string; runId: string | null };
  node: NodeDef;
  reviewed: (NonNullable<ClaimRecord["reviewed"]> & { node: NodeDef }) | null;
  /** On a task node: the returned submission this claim reworks, if any. */
  rework: Rework | null;
}

type Granted = [taskId: string, score: string, from: number, generation: string];
const ROUNDS = 5;

/**
 * A claim that just ended in PostgreSQL (submit and take the next): its settle
 * rides with the new claim's script (settle-claim-15.lua), one Redis call for
 * both. It runs exactly once whatever happens here, alone if the claim never
 * reaches Redis, and `onSettled` runs right after it.
 */
export interface SettleFirst {
  call: SettleCall;
  onSettled: () => void;
}

export async function claimTask(
  deps: Deps,
  actor: Actor,
  projectId: string,
  input: { nodeId: string; taskId?: string },
  first?: SettleFirst,
): Promise<ClaimResult> {
  let pending = first;
  const settled = () => {
    pending = undefined;
    first?.onSettled();
  };
  try {
    const r = await claimRounds(deps, actor, projectId, input, () => {
      const p = pending;
      if (p) pending = undefined;
      return p && { call: p.call, done: settled, notRun: () => (pending = p) };
    });
    tell(deps, (o) => o.claimAttempt?.("ok"));
    return r;
  } catch (err) {
    tell(deps, (o) => o.claimAttempt?.(toAppError(err).code));
    throw err;
  } finally {
    if (pending) {
      await runSettle(deps, pending.call);
      settled();
    }
  }
}

/** The pending settle, if any: `done` once it ran, `notRun` when it found no state (it goes with the next round). */
type TakeSettle = () => { call: SettleCall; done: () => void; notRun: () => void } | undefined;

async function claimRounds(deps: Deps, actor: Actor, projectId: string, input: { nodeId: string; taskId?: string }, takeSettle: TakeSettle): Promise<ClaimResult> {
  const member = contributorIn(actor, projectId);
  if (!member) throw forbidden();
  await retryStale(deps, projectId);
  for (let round = 0; round < ROUNDS; round++) {
    const cat = await getCatalog(deps, projectId);
    if (!cat) throw notFound("project");
    if (cat.status !== "active") throw conflict("project_archived", "This project is archived: its queues are closed.");
    const node = await workableNode(deps, cat, input.nodeId, member.contributorTypeId);
    const type = member.contributorTypeId ? cat.types.get(member.contributorTypeId) : undefined;
    const now = deps.clock.now();
    const schedule = scheduleOf(type, now);
    if (!schedule.open) {
      throw conflict("outside_schedule", "Your contributor type's work schedule is closed now.", schedule.opensAt ? { opensAt: schedule.opensAt.toISOString() } : {});
    }

    const k = keysOf(projectId);
    const typeKey = member.contributorTypeId ?? NO_TYPE;
    const claimId = newId();
    const deadline = now.getTime() + node.leaseSeconds * 1000;
    const review = node.kind === "review";
    const keys = claimKeys(k, node.id, actor.userId, typeKey);
    const args = [
      cat.version, actor.userId, typeKey, node.id, claimId, type?.claimLimit ?? UNTYPED_CLAIM_LIMIT, type?.poolLimit ?? 0,
      deadline, warnScore(deadline - warnLeadMs(deps.config.CLAIM_EXPIRING_SECONDS, node.leaseSeconds)), input.taskId ?? "", review ? "1" : "0",
    ];
    const s = takeSettle();
    const fused = s && settleClaimCall(s.call, keys, args);
    const r = fused
      ? await runScript<[number, number | Granted]>(deps.redis, "settle-claim", fused.keys, fused.args).then(
          ([settled, claimed]) => {
            // No state loaded: neither ran. A rebuild may be writing a snapshot
            // taken before the submit, so the settle runs again after it (as follow() does).
            if (settled === Code.NotLoaded) s.notRun();
            else s.done();
            return claimed;
          },
          async (err: unknown) => {
            // Whether either ran is unknown: the ended claim and any new one are rebuilt from PostgreSQL.
            s.done();
            await markStale(deps, projectId).catch(() => {});
            throw err;
          },
        )
      : await runScript<number | Granted>(deps.redis, "claim", keys, args).catch(async (err: unknown) => {
          // Sent but unanswered (timed out, or the reply lost with the connection):
          // the script may have run and hold a claim PostgreSQL never saw.
          if (!neverSentToRedis(err)) await markStale(deps, projectId).catch(() => {});
          throw err;
        });
    if (typeof r === "number") {
      if (r === Code.NotLoaded) await ensureLoaded(deps, projectId);
      else if (r === Code.StaleConfig) forgetCatalog(deps, projectId);
      else {
        if (r === Code.TaskUnavailable && input.taskId) await taskMustExist(deps, projectId, input.taskId);
        throw codeError(r);
      }
      continue;
    }

    const [taskId, score, from, generation] = r;
    const undo = () =>
      runScript(
        deps.redis,
        "claim-undo",
        [k.epoch, k.claim, k.held, k.deadlines, keys[from - 1]!, k.at, k.excluded(node.id), k.reservedReady, k.busy],
        [taskId, claimId, score, review && from === 3 ? "1" : "0", from === 3 ? "0" : "1"],
      );
    let rec: ClaimRecord;
    try {
      rec = await claimWriterOf(sqlOf(deps)).record({
        projectId, generation: Number(generation), taskId, nodeId: node.id, claimId, userId: actor.userId,
        secret: randomBytes(18).toString("base64url"), now, expiresAt: new Date(deadline), reviewsNodeId: node.reviewsNodeId,
      });
    } catch (err) {
      // Lost mid-statement, the record may or may not have committed: rebuild
      // from the truth. Refused, or never sent (no pool connection): undo.
      if (isUnavailable(err) && !neverSent(err)) await markStale(deps, projectId).catch(() => {});
      else await undo().catch(() => markStale(deps, projectId));
      throw err;
    }
    if (rec.status === "stale") {
      // Decided on a state a rebuild replaced: decide again. If Redis still
      // shows that older generation (a rebuild elsewhere bumped PostgreSQL's
      // but never finished here), drop it so it is rebuilt. An archive bumps it
      // too (projects/lock.ts): the project is read again, whatever this instance cached.
      await undo().catch(() => {});
      await runScript(deps.redis, "lock-release", [k.epoch], [generation]);
      forgetCatalog(deps, projectId);
      continue;
    }
    if (rec.status === "unavailable") {
      // Redis offered a task PostgreSQL does not hold ready here: Redis is wrong.
      deps.log.warn({ projectId, taskId, nodeId: node.id }, "Redis offered a task PostgreSQL does not have ready; rebuilding");
      await markStale(deps, projectId);
      continue;
    }

    const expiresAt = new Date(deadline);
    rememberGranted(deps, { id: claimId, projectId, taskId, nodeId: node.id, userId: actor.userId, claimedAt: now, expiresAt });
    deps.bus.publish({
      type: "task.claimed", orgId: cat.orgId, projectId, pipelineId: node.pipelineId, nodeId: node.id, taskId,
      claimId, userId: actor.userId, expiresAt: expiresAt.toISOString(),
    });
    const reviewedNode = node.reviewsNodeId ? cat.nodes.get(node.reviewsNodeId) : undefined;
    // Only a task submitted here before may be returned work: rework kept for its
    // author (their reserved set, `from` 4), or reopened to others.
    const rework = node.kind === "task" && (from === 4 || rec.resubmit) ? await reworkOf(deps, taskId, node.id).catch(() => null) : null;
    return {
      claim: { id: claimId, taskId, nodeId: node.id, token: rec.token, expiresAt },
      task: { id: taskId, pipelineId: rec.pipelineId, priority: rec.priority, payload: rec.payload, createdAt: rec.createdAt, runId: rec.runId },
      node,
      reviewed: rec.reviewed && reviewedNode ? { ...rec.reviewed, node: reviewedNode } : null,
      rework,
    };
  }
  throw unavailable("The work queue kept changing under this claim; try again.");
}

/** The node, if this contributor may work it (a node just added elsewhere is looked up once more). */
export async function workableNode(deps: Deps, cat: Catalog, nodeId: string, typeId: string | null): Promise<NodeDef> {
  let node = cat.nodes.get(nodeId);
  if (!node) {
    forgetCatalog(deps, cat.projectId);
    node = (await getCatalog(deps, cat.projectId))?.nodes.get(nodeId);
  }
  if (!node) throw notFound("node");
  if (node.kind === "end") throw invalidRequest("An end node holds finished tasks; there is nothing to claim there.");
  if (node.typeId && node.typeId !== typeId) throw forbidden("This node is worked by another contributor type.", "wrong_contributor_type");
  return node;
}

async function taskMustExist(deps: Deps, projectId: string, taskId: string): Promise<void> {
  const t = await deps.db.task.findFirst({ where: { id: taskId, projectId }, select: { id: true } });
  if (!t) throw notFound("task");
}

/** A connection-pool wait that timed out: the statement never reached PostgreSQL. */
function neverSent(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown };
  if (e?.code === "P2024" || /timeout exceeded when trying to connect|Timed out fetching a new connection/i.test(String(e?.message ?? ""))) return true;
  return !!e?.cause && e.cause !== err && neverSent(e.cause);
}
