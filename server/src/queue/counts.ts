// Live counts read from Redis: per node for everyone (the realtime layer's
// `queue:changed`), and per node for one contributor (the queue view).
import type { Deps } from "../deps";
import { forgetCatalog, getCatalog, type Catalog, type NodeDef } from "./catalog";
import { keysOf, NO_TYPE } from "./keys";
import { ensureLoaded } from "./rebuild";

export interface NodeCount {
  nodeId: string;
  /** Tasks waiting at the node, whoever may take them. */
  available: number;
  /** Active claims at the node. */
  claimed: number;
}

/**
 * Whether the catalog is older than the project's config version read with the counts:
 * a change made through another instance (a new pipeline, an archive) is seen at the next
 * read, not only when a claim meets it (catalog.ts).
 */
function outdated(deps: Deps, cat: Catalog, version: unknown): boolean {
  if (((version as string | null) ?? "0") === cat.version) return false;
  forgetCatalog(deps, cat.projectId);
  return true;
}

/** Every work node's counts, in pipeline order (end nodes are not listed). */
export async function nodeCounts(deps: Deps, projectId: string, again = true): Promise<NodeCount[]> {
  const cat = await getCatalog(deps, projectId);
  if (!cat) return [];
  const k = keysOf(projectId);
  const work = cat.ordered.filter((n) => n.kind !== "end");
  // Waiting = the open set's size + what the node's reserved sets hold.
  const read = () => {
    const p = deps.redis.pipeline().exists(k.epoch).hgetall(k.reservedReady).hgetall(k.busy).get(k.cfg);
    for (const n of work) p.zcard(k.ready(n.id));
    return p.exec();
  };
  let res = await read();
  if (!res?.[0]?.[1]) {
    await ensureLoaded(deps, projectId);
    res = await read();
  }
  for (const [err] of res ?? []) if (err) throw err;
  if (again && outdated(deps, cat, res![3]![1])) return nodeCounts(deps, projectId, false);
  const reserved = (res![1]![1] ?? {}) as Record<string, string>;
  const busy = (res![2]![1] ?? {}) as Record<string, string>;
  return work.map((n, i) => ({
    nodeId: n.id,
    available: Number(res![4 + i]![1] ?? 0) + Math.max(0, Number(reserved[n.id] ?? 0)),
    claimed: Math.max(0, Number(busy[n.id] ?? 0)),
  }));
}

export interface MyCounts {
  /** node → tasks this contributor could claim there now. */
  available: Map<string, number>;
  /** node → of those, the ones kept for them alone (their own ready set: assigned or returned to them). */
  mine: Map<string, number>;
  held: number;
  heldByType: number;
  /** False when `cat` is older than the config version: read the catalog again and ask again. */
  current: boolean;
}

/** What one contributor could claim at each of these nodes, and what they and their type hold. */
export async function countsFor(deps: Deps, cat: Catalog, userId: string, typeId: string | null, nodes: NodeDef[]): Promise<MyCounts> {
  const k = keysOf(cat.projectId);
  const type = typeId ?? NO_TYPE;
  const read = () => {
    const p = deps.redis.pipeline().exists(k.epoch).hmget(k.held, `u:${userId}`, `t:${type}`).get(k.cfg);
    for (const n of nodes) {
      p.zcard(k.ready(n.id)).zcard(k.readyUser(n.id, userId)).zcard(k.readyType(n.id, type)).hget(k.excluded(n.id), userId);
    }
    return p.exec();
  };
  let res = await read();
  if (!res?.[0]?.[1]) {
    await ensureLoaded(deps, cat.projectId);
    res = await read();
  }
  for (const [err] of res ?? []) if (err) throw err;
  const v = (i: number) => Number(res![i]![1] ?? 0);
  const [held, heldByType] = (res![1]![1] as Array<string | null>).map((n) => Number(n ?? 0)) as [number, number];
  const available = new Map<string, number>();
  const mine = new Map<string, number>();
  nodes.forEach((n, i) => {
    const b = 3 + i * 4;
    available.set(n.id, Math.max(0, v(b) - v(b + 3)) + v(b + 1) + v(b + 2));
    mine.set(n.id, v(b + 1));
  });
  return { available, mine, held, heldByType, current: !outdated(deps, cat, res![2]![1]) };
}
