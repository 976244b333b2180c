// Every Redis key of the claim engine, built here and nowhere else. All keys of
// a project carry the hash tag {p:<projectId>}, so every script touches one
// Redis Cluster slot; the two global keys are only used by plain commands.
export interface ProjectKeys {
  /**
   * Present while the project's state is loaded; holds the generation it was built at.
   * Its name carries the key layout's version (`gen2`; before: `epoch`, then `gen`):
   * a state written in an older layout is never read as this one, it is rebuilt.
   */
  epoch: string;
  /** Config version: a fresh token on every project change, so cached limits are never stale. */
  cfg: string;
  /** The dynamic keys (ready sets, exclusion counts) a rebuild must delete. */
  registry: string;
  /** One rebuild at a time. */
  lock: string;
  /**
   * Counts the times the state was marked stale (outlives rebuilds): a rebuild
   * that sees it move while it runs drops what it built, which may predate the change.
   */
  staleMarks: string;
  /**
   * taskId → the node it waits or is worked at (queued and claimed tasks); at a
   * review node "nodeId|authorId", the author who may not review it.
   */
  at: string;
  /** taskId → "claimId|userId|typeId|nodeId" for claimed tasks. */
  claim: string;
  /** "u:<userId>" → claims held; "t:<typeId>" → claims held by that type's members (one hash: one read for both limits). */
  held: string;
  /**
   * Lease deadlines, taskId → epoch ms, and in the same zset the expiry warnings,
   * warnMember(taskId) → warnScore(ms) (one ZADD/ZREM covers both).
   */
  deadlines: string;
  /**
   * nodeId → tasks in the node's reserved ready sets (its open set counts itself:
   * ZCARD); nodeId → active claims. The live counts.
   */
  reservedReady: string;
  busy: string;
  /** What every key of the project starts with. */
  prefix: string;
  /** Keys of older layouts, deleted with the fixed keys so a rebuild leaves none behind. */
  legacy: readonly string[];
  /** Ready set of a node open to anyone who may work it. */
  ready(nodeId: string): string;
  /** Ready set of a node reserved for one contributor (assigned, or rework of their own). */
  readyUser(nodeId: string, userId: string): string;
  /** Ready set of a node reserved for one contributor type. */
  readyType(nodeId: string, typeId: string): string;
  /** Per review node: authorId → open ready tasks there that they may not take. */
  excluded(nodeId: string): string;
}

export const GLOBAL_KEYS = {
  /** Projects whose state is loaded: what the sweeper walks. */
  projects: "q:projects",
  /** The sweeper's lock: one instance sweeps at a time. */
  sweeper: "q:sweeper",
};

/** Stands in for "no contributor type" in keys and counters. */
export const NO_TYPE = "_";

/**
 * Warnings share the deadlines zset below zero: a deadline (ms since 1970) is
 * never negative and a warning's score always is (until the year 3084), so each
 * is one score range of the zset.
 */
export const WARN_OFFSET = 2 ** 45;
export const warnScore = (ms: number) => ms - WARN_OFFSET;
/**
 * How long before a lease ends its holder is warned: CLAIM_EXPIRING_SECONDS,
 * but never more than 30% of the lease (as the web client's own warning). A
 * lead longer than the lease would warn at once, again at every heartbeat.
 */
export const warnLeadMs = (expiringSeconds: number, leaseSeconds: number) => Math.min(expiringSeconds, leaseSeconds * 0.3) * 1000;
/** The warning's member (the scripts build it the same way: 'w:' .. taskId). */
export const warnMember = (taskId: string) => `w:${taskId}`;

/** Whether a ready set is reserved (for one person or one type): those are counted in reservedReady. */
export function isReserved(k: ProjectKeys, readyKey: string): boolean {
  return /^r:[^:]+:[ut]:/.test(readyKey.slice(k.prefix.length));
}

export const hashTag = (projectId: string) => `{p:${projectId}}`;

const cache = new Map<string, ProjectKeys>();

export function keysOf(projectId: string): ProjectKeys {
  let k = cache.get(projectId);
  if (k) return k;
  const p = `q:${hashTag(projectId)}:`;
  k = {
    epoch: `${p}gen2`,
    cfg: `${p}cfg`,
    registry: `${p}keys`,
    lock: `${p}lock`,
    staleMarks: `${p}stale`,
    at: `${p}at`,
    claim: `${p}claim`,
    held: `${p}n`,
    deadlines: `${p}dl`,
    reservedReady: `${p}ra`,
    busy: `${p}busy`,
    prefix: p,
    legacy: ["epoch", "gen", "nu", "nt", "warn", "excl", "avail"].map((s) => p + s),
    ready: (n) => `${p}r:${n}`,
    readyUser: (n, u) => `${p}r:${n}:u:${u}`,
    readyType: (n, t) => `${p}r:${n}:t:${t}`,
    excluded: (n) => `${p}xc:${n}`,
  };
  if (cache.size > 10_000) cache.clear();
  cache.set(projectId, k);
  return k;
}

// The claim script's keys for one (node, contributor, type), and settle's for a
// completed task, built once and reused (frozen: callers only read them).
// Building 14 (now 12) long key strings per claim was a visible share of P1's engine CPU.
const claimKeyCache = new WeakMap<ProjectKeys, Map<string, Map<string, { typeKey: string; keys: readonly string[] }>>>();
const PER_NODE_LIMIT = 10_000;

/** KEYS of lua/claim-12.lua, in its header's order. */
export function claimKeys(k: ProjectKeys, nodeId: string, userId: string, typeKey: string): readonly string[] {
  let nodes = claimKeyCache.get(k);
  if (!nodes) claimKeyCache.set(k, (nodes = new Map()));
  let users = nodes.get(nodeId);
  if (!users) nodes.set(nodeId, (users = new Map()));
  const hit = users.get(userId);
  if (hit && hit.typeKey === typeKey) return hit.keys;
  const keys = Object.freeze([
    k.epoch, k.cfg, k.ready(nodeId), k.readyUser(nodeId, userId), k.readyType(nodeId, typeKey),
    k.claim, k.held, k.deadlines, k.at, k.excluded(nodeId), k.reservedReady, k.busy,
  ]);
  if (users.size >= PER_NODE_LIMIT) users.clear();
  users.set(userId, { typeKey, keys });
  return keys;
}

const completedCache = new WeakMap<ProjectKeys, readonly string[]>();

/** KEYS of lua/settle-10.lua for a task that completed (no target ready set). */
export function settleCompletedKeys(k: ProjectKeys): readonly string[] {
  let keys = completedCache.get(k);
  if (!keys) {
    keys = Object.freeze([k.epoch, k.claim, k.held, k.deadlines, k.at, k.reservedReady, k.busy, k.ready("-"), k.excluded("-"), k.registry]);
    completedCache.set(k, keys);
  }
  return keys;
}

/** The fixed keys of a project (the dynamic ones are listed in its registry). */
export function fixedKeys(k: ProjectKeys): string[] {
  return [k.epoch, k.registry, k.at, k.claim, k.held, k.deadlines, k.reservedReady, k.busy, ...k.legacy];
}
