// The expiry sweeper: one instance at a time (a Redis lock with a token),
// returns claims whose lease ran out to the queue (PostgreSQL records them as
// expired, conditional on the deadline it saw, so a heartbeat that just landed
// wins), and warns holders CLAIM_EXPIRING_SECONDS before expiry, once per deadline.
import { randomUUID } from "node:crypto";
import type { Deps } from "../deps";
import { getCatalog, type Catalog } from "./catalog";
import { Code } from "./codes";
import { moveDeadline } from "./held";
import { fixedKeys, GLOBAL_KEYS, keysOf, warnMember, warnScore } from "./keys";
import { ensureLoaded } from "./rebuild";
import { markStale, retryStale, staleInDatabase } from "./stale";
import { expireClaims } from "./release";
import { runScript } from "./scripts";

const BATCH = 200;
const MAX_BATCHES = 10;

export interface SweepResult {
  expired: number;
  warned: number;
}

/**
 * One pass over every loaded project (and, with checkDatabase, those with
 * overdue claims but no Redis state). `projects` limits the pass (tests).
 */
export async function sweepOnce(deps: Deps, opts: { checkDatabase?: boolean; projects?: string[] } = {}): Promise<SweepResult> {
  await retryStale(deps);
  const now = deps.clock.now();
  const projects = new Set(opts.projects ?? (await deps.redis.smembers(GLOBAL_KEYS.projects)));
  if (opts.checkDatabase) {
    const rows = await deps.db.$queryRaw<Array<{ projectId: string }>>`
      SELECT DISTINCT "projectId" FROM "Claim" WHERE outcome = 'active' AND "expiresAt" <= ${now}::timestamptz LIMIT 500`;
    for (const r of rows) if (!opts.projects || opts.projects.includes(r.projectId)) projects.add(r.projectId);
    // Stale marks kept in PostgreSQL (Redis was unreachable, perhaps on an instance since restarted).
    for (const projectId of await staleInDatabase(deps)) if (!opts.projects || opts.projects.includes(projectId)) await markStale(deps, projectId);
  }
  const total: SweepResult = { expired: 0, warned: 0 };
  for (const projectId of projects) {
    try {
      const r = await sweepProject(deps, projectId, now.getTime());
      total.expired += r.expired;
      total.warned += r.warned;
    } catch (err) {
      deps.log.warn({ err, projectId }, "sweeping a project failed");
    }
  }
  return total;
}

async function sweepProject(deps: Deps, projectId: string, now: number): Promise<SweepResult> {
  const cat = await getCatalog(deps, projectId);
  const k = keysOf(projectId);
  if (!cat) {
    // The project was deleted: its live state goes too.
    await deps.redis.unlink(...fixedKeys(k), k.cfg, k.staleMarks, ...(await deps.redis.smembers(k.registry)));
    await deps.redis.srem(GLOBAL_KEYS.projects, projectId);
    return { expired: 0, warned: 0 };
  }
  const run = async <T>(name: "due-warnings" | "due-expiries", keys: string[], args: Array<string | number>) => {
    let r = await runScript<T | number>(deps.redis, name, keys, args);
    if (r === Code.NotLoaded) {
      await ensureLoaded(deps, projectId);
      r = await runScript<T | number>(deps.redis, name, keys, args);
    }
    return Array.isArray(r) ? (r as T) : ([] as T);
  };

  const warned = await run<string[]>("due-warnings", [k.epoch, k.deadlines, k.claim], [warnScore(now), 1000]);
  for (let i = 0; i < warned.length; i += 3) {
    const [claimId, userId, , nodeId] = warned[i + 1]!.split("|") as [string, string, string, string];
    const node = cat.nodes.get(nodeId);
    if (!node) continue;
    deps.bus.publish({
      type: "claim.expiring", orgId: cat.orgId, projectId, pipelineId: node.pipelineId, nodeId, taskId: warned[i]!,
      claimId, userId, expiresAt: new Date(Number(warned[i + 2])).toISOString(),
    });
  }

  let expired = 0;
  for (let b = 0; b < MAX_BATCHES; b++) {
    const flat = await run<string[]>("due-expiries", [k.epoch, k.deadlines, k.claim], [now, BATCH]);
    const due: Array<{ taskId: string; claimId: string; deadline: number; nodeId: string }> = [];
    for (let i = 0; i < flat.length; i += 3) {
      const entry = flat[i + 2]!.split("|");
      const claimId = entry[0]!;
      if (claimId) due.push({ taskId: flat[i]!, deadline: Number(flat[i + 1]), claimId, nodeId: entry[3] ?? "" });
      else await deps.redis.zrem(k.deadlines, flat[i]!, warnMember(flat[i]!)); // a deadline without a claim: nothing holds it
    }
    const ended = await expireClaims(deps, cat, due);
    expired += ended.length;
    if (ended.length < due.length && !(await reconcile(deps, cat, due, new Set(ended.map((e) => e.claimId))))) break;
    if (flat.length < BATCH * 3) break;
  }
  return { expired, warned: warned.length / 3 };
}

/** A claim that ended this recently is still being followed in Redis by the one who ended it. */
const SETTLE_GRACE_MS = 5_000;

/**
 * Due in Redis but not expired by PostgreSQL: a heartbeat moved the deadline
 * (Redis follows PostgreSQL's value), or the claim already ended and Redis
 * missed it (the project is rebuilt). Returns false when the batch should stop.
 */
async function reconcile(deps: Deps, cat: Catalog, due: Array<{ taskId: string; claimId: string; nodeId: string }>, ended: Set<string>): Promise<boolean> {
  const rest = due.filter((d) => !ended.has(d.claimId));
  const rows = await deps.db.claim.findMany({
    where: { id: { in: rest.map((d) => d.claimId) } },
    select: { id: true, outcome: true, expiresAt: true, endedAt: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const now = deps.clock.now().getTime();
  let settling = false;
  for (const d of rest) {
    const row = byId.get(d.claimId);
    // Submitted or released a moment ago: its own follow-up settles it in Redis
    // (or marks the project stale if it cannot). Rebuilding a whole project for
    // that race would cost far more; a later pass still catches a settle that never came.
    if (row && row.outcome !== "active" && row.endedAt && now - row.endedAt.getTime() < SETTLE_GRACE_MS) {
      settling = true; // still due in Redis: this pass stops here rather than list it again
      continue;
    }
    if (!row || row.outcome !== "active") {
      deps.log.warn({ projectId: cat.projectId, claimId: d.claimId }, "Redis holds a claim PostgreSQL ended; rebuilding");
      await markStale(deps, cat.projectId);
      return false;
    }
    await moveDeadline(deps, cat.projectId, d.taskId, d.claimId, row.expiresAt, cat.nodes.get(d.nodeId)?.leaseSeconds ?? Infinity);
  }
  return !settling;
}

/** Runs sweepOnce every interval on whichever instance holds the sweeper lock (`projects`: tests). */
export function startSweeper(deps: Deps, opts: { intervalMs?: number; projects?: () => string[] } = {}): () => Promise<void> {
  const interval = opts.intervalMs ?? 1000;
  const token = randomUUID();
  let running: Promise<void> | null = null;
  let tick = 0;
  const once = async () => {
    try {
      await retryStale(deps);
      if (await holdLock(deps, token, interval * 5)) await sweepOnce(deps, { checkDatabase: tick++ % 10 === 0, projects: opts.projects?.() });
    } catch (err) {
      deps.log.warn({ err }, "sweeper tick failed");
    }
  };
  const timer = setInterval(() => {
    running ??= once().finally(() => (running = null));
  }, interval);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    await runScript(deps.redis, "lock-release", [GLOBAL_KEYS.sweeper], [token]).catch(() => {});
  };
}

async function holdLock(deps: Deps, token: string, ttlMs: number): Promise<boolean> {
  if ((await runScript<number>(deps.redis, "lock-renew", [GLOBAL_KEYS.sweeper], [token, ttlMs])) === 1) return true;
  return (await deps.redis.set(GLOBAL_KEYS.sweeper, token, "PX", ttlMs, "NX")) === "OK";
}
