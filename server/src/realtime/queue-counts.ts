// Every work node's counts for `queue:changed`, read from the claim engine's
// live state in Redis (rebuilt from PostgreSQL when missing), with the type a
// node requires (who may see it). Read after the change committed, so the value
// is the truth at read time; the coalescer makes the latest read win.
import type { Deps } from "../deps";
import { getCatalog } from "../queue/catalog";
import { nodeCounts } from "../queue/counts";
import type { QueueChanged } from "../shared/socket-events";

export interface NodeState {
  count: QueueChanged;
  /** The contributor type the node requires (null: open to every contributor). */
  typeId: string | null;
}

export async function readQueueCounts(deps: Deps, projectId: string): Promise<NodeState[]> {
  // After the counts: they read the catalog again when it is older than the project's config.
  const counts = await nodeCounts(deps, projectId);
  const cat = await getCatalog(deps, projectId);
  return counts.map((c) => ({
    count: { projectId, nodeId: c.nodeId, available: c.available, claimed: c.claimed },
    typeId: cat?.nodes.get(c.nodeId)?.typeId ?? null,
  }));
}
