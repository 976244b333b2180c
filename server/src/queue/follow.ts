// After PostgreSQL committed a change, Redis follows it. A follow-up that finds
// the project's state missing waits for the rebuild and runs again (the
// scripts are idempotent); one that cannot reach Redis marks the project stale
// so it is rebuilt from PostgreSQL, the truth, when Redis is back.
import type { Deps } from "../deps";
import { Code } from "./codes";
import { keysOf, isReserved, settleCompletedKeys, type ProjectKeys } from "./keys";
import { readyKeyFor, score } from "./placement";
import { ensureLoaded } from "./rebuild";
import { markStale } from "./stale";
import { runScript } from "./scripts";
import type { NodeDef } from "./catalog";
import type { Placement } from "./sql";

export async function follow(deps: Deps, projectId: string, run: () => Promise<number>): Promise<void> {
  try {
    if ((await run()) === Code.NotLoaded) {
      await ensureLoaded(deps, projectId);
      await run();
    }
  } catch (err) {
    deps.log.warn({ err, projectId }, "Redis could not follow a committed change; the project's queue state will be rebuilt");
    await markStale(deps, projectId).catch(() => {});
  }
}

/** A settle to run: settle-10.lua's keys and arguments. */
export interface SettleCall {
  projectId: string;
  keys: readonly string[];
  args: Array<string | number>;
}

/**
 * A claim ended in PostgreSQL: release it in Redis and put its task where it
 * now waits (`to` = its node), or nowhere when it completed (`to` = null).
 */
export function settle(deps: Deps, projectId: string, taskId: string, claimId: string, to: NodeDef | null, p: Placement | null): Promise<void> {
  return runSettle(deps, settleCall(projectId, taskId, claimId, to, p));
}

export function settleCall(projectId: string, taskId: string, claimId: string, to: NodeDef | null, p: Placement | null): SettleCall {
  const k = keysOf(projectId);
  const author = to?.kind === "review" && p?.author ? p.author : "";
  const target = to && p ? readyKeyFor(k, to, p) : null;
  const keys =
    to && target ? [k.epoch, k.claim, k.held, k.deadlines, k.at, k.reservedReady, k.busy, target, k.excluded(to.id), k.registry] : settleCompletedKeys(k);
  const args = [taskId, claimId, to ? to.id : "", to && p ? score(p.priority, p.createdAt) : 0, author, target && isReserved(k, target) ? "1" : "0"];
  return { projectId, keys, args };
}

/** settle-claim-15.lua's keys and arguments: the claim script's, with the settle's around them. */
export function settleClaimCall(call: SettleCall, claimKeys: readonly string[], claimArgs: Array<string | number>) {
  return { keys: [...claimKeys, ...call.keys.slice(7)], args: [...call.args, ...claimArgs] };
}

export function runSettle(deps: Deps, call: SettleCall): Promise<void> {
  return follow(deps, call.projectId, () => runScript<number>(deps.redis, "settle", call.keys, call.args));
}

/**
 * Puts newly committed tasks into the ready sets of their first (task) node,
 * where an assignment applies: the import checked it against that node.
 */
export async function enqueue(
  deps: Deps,
  projectId: string,
  node: NodeDef,
  tasks: Array<{ id: string; priority: number; createdAt: Date } & Omit<Placement, "taskId" | "pipelineId" | "priority" | "createdAt" | "author" | "assignmentApplies">>,
): Promise<void> {
  const k: ProjectKeys = keysOf(projectId);
  const groups = new Map<string, Array<string | number>>();
  for (const t of tasks) {
    const key = readyKeyFor(k, node, { ...t, assignmentApplies: true });
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(t.id, score(t.priority, t.createdAt));
  }
  for (const [key, flat] of groups) {
    for (let i = 0; i < flat.length; i += 2_000) {
      const args = [node.id, isReserved(k, key) ? "1" : "0", ...flat.slice(i, i + 2_000)];
      await follow(deps, projectId, () => runScript<number>(deps.redis, "enqueue", [k.epoch, k.at, k.reservedReady, k.registry, key], args));
    }
  }
}
