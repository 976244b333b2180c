// Reviewers off shift when work reached their review node were not told then
// (recipients.ts: only those who could claim it now). When their contributor
// type's schedule window opens and work still waits for them at a review node,
// each is told once per node: "N tasks wait for your review at <node>".
// A pass a minute, on one instance at a time (a Redis key per tick); the
// notice's dedupeKey (node and window opening, unique per person) keeps it to
// one even when passes overlap or Redis cannot be asked.
import { randomUUID } from "node:crypto";
import type { Deps } from "../../deps";
import { scheduleState } from "../../queue/schedule";
import type { Schedule } from "../contributor-types/schedule";
import { notify } from "./service";
import { texts } from "./texts";

/** A window that opened this recently is still told (a pass missed, instances restarting); one opened earlier is not. */
export const CATCH_UP_MS = 30 * 60_000;
const EVERY_MS = 60_000;
const TICK_KEY = "notify:shifts";

/** When the schedule's current window opened, if it did within the last `withinMs` (else null). */
export function openedWithin(schedule: Schedule, now: Date, withinMs: number): Date | null {
  if (!scheduleState(schedule, now).open) return null;
  const before = scheduleState(schedule, new Date(now.getTime() - withinMs));
  return !before.open && before.opensAt && before.opensAt <= now ? before.opensAt : null;
}

/** One pass: returns how many notices were stored. `projects` limits it (tests). */
export async function shiftNoticesOnce(deps: Deps, opts: { projects?: string[] } = {}): Promise<number> {
  const now = deps.clock.now();
  const types = await deps.db.$queryRaw<Array<{ id: string; projectId: string; schedule: Schedule; orgId: string; projectName: string }>>`
    SELECT ct.id, ct."projectId", ct.schedule, p."orgId", p.name AS "projectName"
    FROM "ContributorType" ct JOIN "Project" p ON p.id = ct."projectId"
    WHERE ct.schedule IS NOT NULL AND jsonb_typeof(ct.schedule) = 'object' AND p.status = 'active'
      AND (${opts.projects ?? null}::text[] IS NULL OR ct."projectId" = ANY(${opts.projects ?? null}::text[]))`;
  let told = 0;
  for (const type of types) {
    try {
      const openedAt = openedWithin(type.schedule, now, CATCH_UP_MS);
      if (openedAt) told += await tellType(deps, type, openedAt);
    } catch (err) {
      deps.log.warn({ err, contributorTypeId: type.id }, "shift notices for a type failed");
    }
  }
  return told;
}

/** What waits for each member of the type at the review nodes they may work (theirs, and those open to anyone). */
async function tellType(deps: Deps, type: { id: string; projectId: string; orgId: string; projectName: string }, openedAt: Date): Promise<number> {
  // Counted per (node, author) first: a person is never offered their own submission to review (as the queue does).
  const rows = await deps.db.$queryRaw<Array<{ userId: string; nodeId: string; nodeName: string; count: number }>>`
    WITH waiting AS (
      SELECT w."nodeId", w."nodeName", w.author, count(*)::int AS n FROM (
        SELECT n.id AS "nodeId", n.name AS "nodeName",
          (SELECT s."userId" FROM "Submission" s WHERE s."taskId" = t.id AND s."nodeId" = n."reviewsNodeId"
           ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1) AS author
        FROM "PipelineNode" n JOIN "Task" t ON t."nodeId" = n.id AND t.status = 'queued'
        WHERE n."projectId" = ${type.projectId} AND n.kind = 'review' AND (n."contributorTypeId" = ${type.id} OR n."contributorTypeId" IS NULL)
      ) w GROUP BY w."nodeId", w."nodeName", w.author
    )
    SELECT m."userId", w."nodeId", w."nodeName", sum(w.n) FILTER (WHERE w.author IS DISTINCT FROM m."userId")::int AS count
    FROM "ProjectMember" m CROSS JOIN waiting w
    WHERE m."projectId" = ${type.projectId} AND m."contributorTypeId" = ${type.id} AND m.role = 'contributor'
    GROUP BY m."userId", w."nodeId", w."nodeName"
    HAVING sum(w.n) FILTER (WHERE w.author IS DISTINCT FROM m."userId") > 0`;
  const opened = openedAt.toISOString();
  return notify(
    deps,
    rows.map((r) =>
      texts.reviewsWaiting({
        userId: r.userId, orgId: type.orgId, projectId: type.projectId, nodeId: r.nodeId, nodeName: r.nodeName,
        projectName: type.projectName, count: r.count, dedupeKey: `shift:${r.nodeId}:${opened}`,
      }),
    ),
  );
}

/** A pass every minute on whichever instance takes the tick first. */
export function startShiftNotices(deps: Deps, everyMs = EVERY_MS): () => Promise<void> {
  const token = randomUUID();
  let running: Promise<void> | null = null;
  const once = async () => {
    try {
      // Unreachable Redis: run anyway; the dedupe key still tells each notice once.
      const mine = await deps.redis.set(TICK_KEY, token, "PX", Math.max(1_000, everyMs - 1_000), "NX").then((r) => r === "OK", () => true);
      if (mine) await shiftNoticesOnce(deps);
    } catch (err) {
      deps.log.warn({ err }, "shift notices pass failed");
    }
  };
  const timer = setInterval(() => {
    running ??= once().finally(() => (running = null));
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
