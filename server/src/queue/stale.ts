// Stale marks: Redis could not follow a change PostgreSQL committed, or was
// found to disagree with it. The project's epoch is dropped so the next access
// rebuilds it (rebuild.ts), and each mark is counted so a rebuild running
// meanwhile drops its result too.
import type { Deps } from "../deps";
import { keysOf } from "./keys";
import { sqlOf } from "./pg";

const staleSets = new WeakMap<Deps, Set<string>>();

/**
 * Redis could not follow a change PostgreSQL committed, or disagrees with it:
 * drop the project's epoch so the next access rebuilds it, and count the mark,
 * so a rebuild running meanwhile (here or on another instance) from a snapshot
 * taken before the change drops its result too. Kept and retried (by the
 * sweeper's tick and the next claim) while Redis is unreachable.
 */
export async function markStale(deps: Deps, projectId: string): Promise<void> {
  const set = staleSetOf(deps);
  set.add(projectId);
  await retryStale(deps, projectId);
  // Redis unreachable: the mark is written to PostgreSQL as well, so a restart
  // of this instance before Redis is back does not lose it (sweeper.ts reads it).
  if (set.has(projectId))
    await sqlOf(deps)
      .query(
        `INSERT INTO "QueueState" ("projectId", "staleSince") VALUES ($1, $2)
         ON CONFLICT ("projectId") DO UPDATE SET "staleSince" = coalesce("QueueState"."staleSince", EXCLUDED."staleSince")`,
        [projectId, deps.clock.now()],
      )
      .catch((err: unknown) => deps.log.warn({ err, projectId }, "could not keep a stale mark in PostgreSQL"));
}

export async function retryStale(deps: Deps, only?: string): Promise<void> {
  const set = staleSets.get(deps);
  if (!set?.size) return;
  for (const projectId of only ? [only].filter((p) => set.has(p)) : [...set]) {
    try {
      const at = deps.clock.now();
      const k = keysOf(projectId);
      const done = await deps.redis.multi().del(k.epoch).incr(k.staleMarks).exec();
      for (const [err] of done ?? []) if (err) throw err;
      set.delete(projectId);
      // Marks made before this one took effect are covered by it; a later one (another instance's) stays.
      await sqlOf(deps)
        .query(`UPDATE "QueueState" SET "staleSince" = NULL WHERE "projectId" = $1 AND "staleSince" <= $2`, [projectId, at])
        .catch(() => {});
    } catch {
      // still unreachable: the next tick tries again
    }
  }
}

/** Projects marked stale while Redis was unreachable, by any instance, past or present. */
export async function staleInDatabase(deps: Deps): Promise<string[]> {
  const rows = await sqlOf(deps).query<{ projectId: string }>(`SELECT "projectId" FROM "QueueState" WHERE "staleSince" IS NOT NULL LIMIT 500`, []);
  return rows.map((r) => r.projectId);
}

function staleSetOf(deps: Deps): Set<string> {
  let set = staleSets.get(deps);
  if (!set) staleSets.set(deps, (set = new Set()));
  return set;
}
