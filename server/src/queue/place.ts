// After an edit of a task that is not held (modules/tasks/edit.ts) committed,
// Redis follows: the task moves from the ready set it waited in to the one it
// waits in now (its priority or assignment changed), leaves Redis (cancelled)
// or comes in (reopened), placed by the same rule as the rebuild and the settle
// (readyKeyFor, score). Where Redis disagrees with where PostgreSQL says it
// waited (a claim in flight holds it, or a rebuild is due) it is rebuilt.
import type { Deps } from "../deps";
import type { NodeDef } from "./catalog";
import { Code } from "./codes";
import { follow } from "./follow";
import { isReserved, keysOf } from "./keys";
import { readyKeyFor, score, type Reservation } from "./placement";
import { runScript } from "./scripts";
import { markStale } from "./stale";

/** Where a waiting task sits: its reservation and its order. */
export interface Placed extends Reservation {
  priority: number;
  createdAt: Date | string;
}

/**
 * Moves `taskId` at `node` from `from` (null: it was not waiting) to `to`
 * (null: it no longer waits). `author`: who may not take it at a review node.
 */
export async function replaceTask(
  deps: Deps,
  projectId: string,
  node: Pick<NodeDef, "id" | "kind">,
  taskId: string,
  from: Placed | null,
  to: Placed | null,
  author: string | null,
): Promise<void> {
  if (!from && !to) return;
  const k = keysOf(projectId);
  const unused = k.ready("-");
  const fromKey = from ? readyKeyFor(k, node, from) : unused;
  const toKey = to ? readyKeyFor(k, node, to) : unused;
  const keys = [k.epoch, k.claim, k.at, k.reservedReady, k.registry, fromKey, toKey, k.excluded(node.id)];
  const args = [
    taskId, node.id,
    from ? "1" : "0", from && isReserved(k, fromKey) ? "1" : "0",
    to ? "1" : "0", to ? score(to.priority, to.createdAt) : 0, to && isReserved(k, toKey) ? "1" : "0",
    node.kind === "review" && author ? author : "",
  ];
  let disagrees = false;
  await follow(deps, projectId, async () => {
    const r = await runScript<number>(deps.redis, "place", keys, args);
    disagrees = r === 0;
    return r === Code.NotLoaded ? r : 1;
  });
  if (disagrees) {
    deps.log.info({ projectId, taskId }, "Redis did not hold an edited task where PostgreSQL had it; rebuilding");
    await markStale(deps, projectId).catch(() => {});
  }
}
