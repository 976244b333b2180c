// Redis holds only what PostgreSQL can rebuild. When a project's epoch key is
// missing (never built, restart without persistence, FLUSHALL) or its state was
// found wrong, it is rebuilt here under a Redis lock before any claim proceeds.
// Scripts refuse to run while the epoch is missing, so nothing acts on a
// half-built state; claims decided on the old state are refused by PostgreSQL
// (the generation bump of pipelines_next_generation).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Deps } from "../deps";
import { unavailable } from "../http/errors";
import { fixedKeys, GLOBAL_KEYS, keysOf, isReserved, NO_TYPE, warnLeadMs, warnMember, warnScore } from "./keys";
import { tell } from "./observe";
import { PLACED_TASK_COLUMNS, readyKeyFor, score, type PlacedTask } from "./placement";
import { runScript } from "./scripts";
import { nextGeneration } from "./sql";
import { sqlOf } from "./pg";

const LOCK_TTL_MS = 30_000;
const WAIT_MS = 30_000;
const BATCH = 2_000;

const inflight = new WeakMap<Deps, Map<string, Promise<void>>>();

function mapOf<V>(m: WeakMap<Deps, V>, deps: Deps, make: () => V): V {
  let v = m.get(deps);
  if (!v) m.set(deps, (v = make()));
  return v;
}

/** Resolves once the project's state is in Redis, rebuilding it if needed. */
export function ensureLoaded(deps: Deps, projectId: string): Promise<void> {
  const running = mapOf(inflight, deps, () => new Map<string, Promise<void>>());
  let p = running.get(projectId);
  if (!p) {
    p = waitOrBuild(deps, projectId).finally(() => running.delete(projectId));
    running.set(projectId, p);
  }
  return p;
}

async function waitOrBuild(deps: Deps, projectId: string): Promise<void> {
  const k = keysOf(projectId);
  const giveUp = performance.now() + WAIT_MS;
  for (;;) {
    if (await deps.redis.exists(k.epoch)) return;
    if (performance.now() > giveUp) throw unavailable("The work queue is being rebuilt; try again shortly.");
    const token = randomUUID();
    if (await deps.redis.set(k.lock, token, "PX", LOCK_TTL_MS, "NX")) {
      try {
        if (!(await deps.redis.exists(k.epoch))) await timed(deps, () => rebuild(deps, projectId, token));
      } finally {
        await runScript(deps.redis, "lock-release", [k.lock], [token]).catch(() => {});
      }
      continue; // a rebuild marked stale while it ran left no epoch: build again
    }
    await sleep(20);
  }
}

/** Runs a rebuild, telling /metrics how long it took and how it ended (observe.ts). */
async function timed(deps: Deps, build: () => Promise<boolean>): Promise<void> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const complete = await build();
    tell(deps, (o) => o.rebuilt?.(seconds(), complete ? "ok" : "superseded"));
  } catch (err) {
    tell(deps, (o) => o.rebuilt?.(seconds(), "failed"));
    throw err;
  }
}

interface Row extends PlacedTask {
  leaseSeconds: number;
  claimId: string | null;
  holder: string | null;
  holderType: string | null;
  expiresAt: Date | null;
}

/** False when the state was marked stale meanwhile: it was dropped, to be built again. */
async function rebuild(deps: Deps, projectId: string, token: string): Promise<boolean> {
  const k = keysOf(projectId);
  const started = performance.now();
  // The claim hash goes in the same MULTI that reads the registry: from then on
  // settle finds no entry, reads the epoch and waits (see settle-10.lua).
  const cleared = (await deps.redis.multi().smembers(k.registry).unlink(...fixedKeys(k)).get(k.staleMarks).exec()) ?? [];
  for (const [err] of cleared) if (err) throw err;
  const dynamic = (cleared[0]?.[1] ?? []) as string[];
  const marks = cleared[2]?.[1] as string | null; // read before the snapshot below
  if (dynamic.length) await deps.redis.unlink(...dynamic);
  const sql = sqlOf(deps);
  const generation = await nextGeneration(sql, projectId, deps.clock.now());
  // One statement: one consistent snapshot of the project's open tasks. The
  // holder is looked up per claimed task only, by index, whatever the planner
  // believes: with the statistics of a fresh import (Task estimated at 10 rows)
  // plain LEFT JOINs became nested loops comparing every task with every member
  // (160,000 tasks × 500 members: 3.5 s of a 4.4 s rebuild; 7 s with 2,000 active
  // claims, 0.17 s this way).
  const rows = await sql.query<Row>(
    `
    SELECT ${PLACED_TASK_COLUMNS}, n."leaseSeconds",
      c.id AS "claimId", c."userId" AS holder, c."holderType", c."expiresAt"
    FROM "Task" t
    JOIN "PipelineNode" n ON n.id = t."nodeId"
    LEFT JOIN LATERAL (
      SELECT c.id, c."userId", c."expiresAt",
        (SELECT m."contributorTypeId" FROM "ProjectMember" m WHERE m."projectId" = t."projectId" AND m."userId" = c."userId") AS "holderType"
      FROM "Claim" c
      WHERE t.status = 'claimed' AND c."taskId" = t.id AND c.outcome = 'active'
      ORDER BY c."taskId" LIMIT 1 -- steers to the index on taskId, not a scan of every active claim
    ) c ON true
    WHERE t."projectId" = $1 AND t.status IN ('queued', 'claimed')`,
    [projectId],
  );

  const now = deps.clock.now().getTime();
  const count = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
  const reservedReady = new Map<string, number>();
  const busy = new Map<string, number>();
  const held = new Map<string, number>(); // "u:<user>" / "t:<type>"
  const excluded = new Map<string, Map<string, number>>(); // node → author → open tasks
  const ready = new Map<string, Array<string | number>>();
  const at: string[] = [];
  const claims: string[] = [];
  const deadlines: Array<string | number> = []; // and the warnings (keys.ts)

  for (const r of rows) {
    at.push(r.id, r.author ? `${r.nodeId}|${r.author}` : r.nodeId);
    if (r.status === "claimed" && r.claimId && r.holder && r.expiresAt) {
      const type = r.holderType ?? NO_TYPE;
      claims.push(r.id, `${r.claimId}|${r.holder}|${type}|${r.nodeId}`);
      count(held, `u:${r.holder}`);
      count(held, `t:${type}`);
      count(busy, r.nodeId);
      const deadline = r.expiresAt.getTime();
      deadlines.push(deadline, r.id);
      // A warning whose time has passed may already have been sent: not again.
      const warnMs = warnLeadMs(deps.config.CLAIM_EXPIRING_SECONDS, r.leaseSeconds);
      if (deadline - warnMs > now) deadlines.push(warnScore(deadline - warnMs), warnMember(r.id));
      continue;
    }
    const key = readyKeyFor(k, { id: r.nodeId, kind: r.kind as "task" }, r);
    let members = ready.get(key);
    if (!members) ready.set(key, (members = []));
    members.push(score(r.priority, r.createdAt), r.id);
    if (isReserved(k, key)) count(reservedReady, r.nodeId);
    if (r.kind === "review" && r.author) {
      let m = excluded.get(r.nodeId);
      if (!m) excluded.set(r.nodeId, (m = new Map()));
      count(m, r.author);
    }
  }

  const writes: Array<[string, ...Array<string | number>]> = [];
  const chunked = (cmd: string, key: string, flat: Array<string | number>, width: number) => {
    for (let i = 0; i < flat.length; i += BATCH * width) writes.push([cmd, key, ...flat.slice(i, i + BATCH * width)]);
  };
  // The registry first: if this rebuild stops half way, the next one still finds every key to delete.
  const registry = [...ready.keys(), ...[...excluded.keys()].map((n) => k.excluded(n))];
  if (registry.length) chunked("sadd", k.registry, registry, 1);
  chunked("hset", k.at, at, 2);
  chunked("zadd", k.deadlines, deadlines, 2);
  for (const [key, members] of ready) chunked("zadd", key, members, 2);
  const hash = (key: string, m: Map<string, number>) => m.size && writes.push(["hset", key, ...[...m].flat()]);
  hash(k.reservedReady, reservedReady);
  hash(k.busy, busy);
  hash(k.held, held);
  for (const [node, m] of excluded) hash(k.excluded(node), m);

  for (let i = 0; i < writes.length; i += 50) {
    const renewed = await runScript<number>(deps.redis, "lock-renew", [k.lock], [token, LOCK_TTL_MS]);
    if (renewed !== 1) throw unavailable("The work queue rebuild lost its lock; try again.");
    const pipe = deps.redis.pipeline();
    for (const [cmd, ...args] of writes.slice(i, i + 50)) pipe.call(cmd, ...args);
    await execOrThrow(pipe);
  }
  const renewed = await runScript<number>(deps.redis, "lock-renew", [k.lock], [token, LOCK_TTL_MS]);
  if (renewed !== 1) throw unavailable("The work queue rebuild lost its lock; try again.");
  // Listed for the sweeper first (a global key: not in the project's MULTI,
  // whose keys all share one Cluster slot).
  await deps.redis.sadd(GLOBAL_KEYS.projects, projectId);
  // The claims last, in one MULTI with the epoch: a claim entry means a complete
  // state (settle relies on it to skip reading the epoch).
  const last = deps.redis.multi();
  for (let i = 0; i < claims.length; i += BATCH * 2) last.hset(k.claim, ...claims.slice(i, i + BATCH * 2));
  const results = await execOrThrow(last.set(k.epoch, String(generation)).get(k.staleMarks));
  if (results.at(-1)?.[1] !== marks) {
    // Marked stale after the snapshot: the change may be missing from it.
    await deps.redis.del(k.epoch);
    deps.log.info({ projectId, generation }, "queue state marked stale while it was rebuilt; rebuilding again");
    return false;
  }
  deps.log.info({ projectId, generation, tasks: rows.length, ms: Math.round(performance.now() - started) }, "queue state rebuilt from PostgreSQL");
  return true;
}

async function execOrThrow(pipe: ReturnType<Deps["redis"]["pipeline"]>): Promise<Array<[Error | null, unknown]>> {
  const results = (await pipe.exec()) ?? [];
  for (const [err] of results) if (err) throw err;
  return results;
}
