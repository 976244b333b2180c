// Every Redis key of the claim engine, built here and nowhere else. All keys of
// a project carry the hash tag {p:<projectId>}, so every script touches one
// Redis Cluster slot; the two global keys are only used by plain commands.
export interface ProjectKeys {
  /** Present while the project's state is loaded; holds the generation it was built at. */
  epoch: string;
  /** Config version: bumped on every project change, so cached limits are never stale. */
  cfg: string;
  /** The dynamic keys (ready sets, exclusion counts) a rebuild must delete. */
  registry: string;
  /** One rebuild at a time. */
  lock: string;
  /** taskId → the node it waits or is worked at (queued and claimed tasks). */
  at: string;
  /** taskId → the author who may not review it (tasks at review nodes). */
  excl: string;
  /** taskId → "claimId|userId|typeId|nodeId" for claimed tasks. */
  claim: string;
  /** userId → claims held; typeId → claims held by that type's members. */
  perUser: string;
  perType: string;
  /** Lease deadlines and expiry warnings, taskId → epoch ms. */
  deadlines: string;
  warnings: string;
  /** nodeId → ready tasks; nodeId → active claims (the live counts). */
  available: string;
  busy: string;
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

export const hashTag = (projectId: string) => `{p:${projectId}}`;

const cache = new Map<string, ProjectKeys>();

export function keysOf(projectId: string): ProjectKeys {
  let k = cache.get(projectId);
  if (k) return k;
  const p = `q:${hashTag(projectId)}:`;
  k = {
    epoch: `${p}epoch`,
    cfg: `${p}cfg`,
    registry: `${p}keys`,
    lock: `${p}lock`,
    at: `${p}at`,
    excl: `${p}excl`,
    claim: `${p}claim`,
    perUser: `${p}nu`,
    perType: `${p}nt`,
    deadlines: `${p}dl`,
    warnings: `${p}warn`,
    available: `${p}avail`,
    busy: `${p}busy`,
    ready: (n) => `${p}r:${n}`,
    readyUser: (n, u) => `${p}r:${n}:u:${u}`,
    readyType: (n, t) => `${p}r:${n}:t:${t}`,
    excluded: (n) => `${p}xc:${n}`,
  };
  if (cache.size > 10_000) cache.clear();
  cache.set(projectId, k);
  return k;
}

/** The fixed keys of a project (the dynamic ones are listed in its registry). */
export function fixedKeys(k: ProjectKeys): string[] {
  return [k.epoch, k.registry, k.at, k.excl, k.claim, k.perUser, k.perType, k.deadlines, k.warnings, k.available, k.busy];
}
