// A project's definitions the claim path reads on every request (nodes,
// contributor types, the project's org and status), cached per process. Every
// project change bumps a config version in Redis; the claim script compares it,
// so an instance holding older limits reloads instead of deciding with them.
import { randomUUID } from "node:crypto";
import type { Deps } from "../deps";
import type { Form } from "../modules/pipelines/form";
import type { Schedule } from "../modules/contributor-types/schedule";
import { keysOf } from "./keys";
import { scheduleState, type ScheduleState } from "./schedule";

export interface NodeDef {
  id: string;
  pipelineId: string;
  /** Its pipeline's name: two pipelines may have nodes of one name. */
  pipelineName: string;
  /** Its pipeline's status: an archived one takes no new tasks, but those in it are worked to the end. */
  pipelineStatus: string;
  /** Its pipeline's version (1, 2, … as it was changed): versions share their name. */
  pipelineVersion: number;
  projectId: string;
  key: string;
  kind: "task" | "review" | "end";
  name: string;
  position: number;
  typeId: string | null;
  leaseSeconds: number;
  maxLeaseSeconds: number;
  form: Form | null;
  reviewsNodeId: string | null;
  /** The node after this one in its pipeline (null for the end node). */
  next: NodeDef | null;
}

export interface TypeDef {
  id: string;
  name: string;
  claimLimit: number;
  poolLimit: number | null;
  schedule: Schedule | null;
}

export interface Catalog {
  projectId: string;
  orgId: string;
  status: string;
  /** The config version this was read at (Redis `cfg`, "0" when unset). */
  version: string;
  nodes: Map<string, NodeDef>;
  types: Map<string, TypeDef>;
  /** Nodes in pipeline order (pipelines by creation, nodes by position). */
  ordered: NodeDef[];
}

/** Contributors without a type hold one claim at a time. */
export const UNTYPED_CLAIM_LIMIT = 1;

/** A backstop for a config bump that could not reach Redis: reload at least this often. */
const MAX_AGE_MS = 60_000;
const caches = new WeakMap<Deps, Map<string, { at: number; catalog: Promise<Catalog | null> }>>();

function cacheOf(deps: Deps) {
  let c = caches.get(deps);
  if (!c) caches.set(deps, (c = new Map()));
  return c;
}

/** The project's catalog, or null when the project does not exist. */
export function getCatalog(deps: Deps, projectId: string): Promise<Catalog | null> {
  const cache = cacheOf(deps);
  const hit = cache.get(projectId);
  if (hit && performance.now() - hit.at < MAX_AGE_MS) return hit.catalog;
  const entry = { at: performance.now(), catalog: load(deps, projectId) };
  cache.set(projectId, entry);
  // Only real projects stay cached: unknown ids must not grow the cache.
  const drop = () => cache.get(projectId) === entry && cache.delete(projectId);
  entry.catalog.then((c) => c || drop()).catch(drop);
  return entry.catalog;
}

export function forgetCatalog(deps: Deps, projectId: string): void {
  cacheOf(deps).delete(projectId);
}

/**
 * A project changed: every instance must stop trusting its cached definitions.
 * The version is a fresh token, not a counter: after a Redis wipe a counter
 * starts again and could meet a version an instance still caches.
 */
export async function bumpConfig(deps: Deps, projectId: string): Promise<void> {
  forgetCatalog(deps, projectId);
  await deps.redis.set(keysOf(projectId).cfg, randomUUID());
  forgetCatalog(deps, projectId);
}

const watched = new WeakSet<Deps>();

/** Bumps the config version on every `project.changed` event of this process. */
export function watchConfigChanges(deps: Deps): void {
  if (watched.has(deps)) return;
  watched.add(deps);
  deps.bus.on("project.changed", (e) => {
    bumpConfig(deps, e.projectId).catch((err) => deps.log.warn({ err, projectId: e.projectId }, "config version bump failed"));
  });
}

async function load(deps: Deps, projectId: string): Promise<Catalog | null> {
  // Version first: a change landing during the read makes the next claim reload.
  const version = (await deps.redis.get(keysOf(projectId).cfg)) ?? "0";
  const [project, pipelines, nodes, types] = await Promise.all([
    deps.db.project.findUnique({ where: { id: projectId }, select: { id: true, orgId: true, status: true } }),
    deps.db.pipeline.findMany({ where: { projectId }, select: { id: true, name: true, status: true, version: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    deps.db.pipelineNode.findMany({ where: { projectId }, orderBy: [{ pipelineId: "asc" }, { position: "asc" }] }),
    deps.db.contributorType.findMany({ where: { projectId } }),
  ]);
  if (!project) return null;
  const defs = new Map<string, NodeDef>();
  const pipelineOf = new Map(pipelines.map((p) => [p.id, p]));
  for (const n of nodes) {
    defs.set(n.id, {
      id: n.id,
      pipelineId: n.pipelineId,
      pipelineName: pipelineOf.get(n.pipelineId)?.name ?? "",
      pipelineStatus: pipelineOf.get(n.pipelineId)?.status ?? "active",
      pipelineVersion: pipelineOf.get(n.pipelineId)?.version ?? 1,
      projectId,
      key: n.key,
      kind: n.kind as NodeDef["kind"],
      name: n.name,
      position: n.position,
      typeId: n.contributorTypeId,
      leaseSeconds: n.leaseSeconds,
      maxLeaseSeconds: n.maxLeaseSeconds ?? 4 * n.leaseSeconds,
      form: (n.form as Form | null) ?? null,
      reviewsNodeId: n.reviewsNodeId,
      next: null,
    });
  }
  const rank = new Map(pipelines.map((p, i) => [p.id, i]));
  const ordered = [...defs.values()].sort((a, b) => (rank.get(a.pipelineId) ?? 0) - (rank.get(b.pipelineId) ?? 0) || a.position - b.position);
  ordered.forEach((n, i) => {
    const after = ordered[i + 1];
    n.next = after && after.pipelineId === n.pipelineId ? after : null;
  });
  return {
    projectId,
    orgId: project.orgId,
    status: project.status,
    version,
    nodes: defs,
    types: new Map(
      types.map((t) => [t.id, { id: t.id, name: t.name, claimLimit: t.claimLimit, poolLimit: t.poolLimit, schedule: (t.schedule as Schedule | null) ?? null }]),
    ),
    ordered,
  };
}

// Schedule answers hold until the next opening or closing: cache them per type.
const scheduleCache = new WeakMap<TypeDef, { from: number; until: number; state: ScheduleState }>();

export function scheduleOf(type: TypeDef | undefined, now: Date): ScheduleState {
  if (!type?.schedule) return { open: true };
  const t = now.getTime();
  const hit = scheduleCache.get(type);
  if (hit && hit.from <= t && t < hit.until) return hit.state;
  const state = scheduleState(type.schedule, now);
  const edge = (state.open ? state.closesAt : state.opensAt)?.getTime() ?? t + 86_400_000;
  scheduleCache.set(type, { from: t, until: Math.min(edge, t + 86_400_000), state });
  return state;
}
