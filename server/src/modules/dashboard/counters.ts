// The live dashboard counters pushed to `org:<id>:dashboard` and
// `project:<id>:dashboard` rooms (event `dashboard:counters`). The realtime layer
// calls dashboardCounters() when a room is dirty (coalesced); this module decides
// what the numbers are and reads them cheaply: the window's totals from the
// aggregate rows (one range scan), never raw history; the work in flight from the
// claim engine's live counts in Redis (the same numbers as `queue:changed`).
import type { Deps } from "../../deps";
import { nodeCounts } from "../../queue/counts";
import { readScope, type Scope } from "./stats";
import { windowOf, type Timeframe } from "./timeframe";
import { activity, avgReviewsPerReviewNode, firstReviewPassRate, periods, pipelineCompletion } from "./widgets";

export { TIMEFRAMES, type Timeframe } from "./timeframe";
export type { Scope } from "./stats";

/** The same values as the widgets of GET …/dashboard for the timeframe (docs/metrics.md). */
export interface Counters {
  submissions: number;
  completedTasks: number;
  dailyActiveSubmitters: number;
  pipelineCompletion: number | null;
  firstReviewPassRate: number | null;
  avgReviewsPerReviewNode: number | null;
  activeClaims: number;
  queuedTasks: number;
}

export async function dashboardCounters(deps: Deps, scope: Scope, id: string, timeframe: Timeframe): Promise<Counters> {
  const now = deps.clock.now();
  const all = timeframe === "all";
  const provisional = windowOf(timeframe, now);
  const [r, queue] = await Promise.all([
    readScope(deps.db, scope, id, {
      unit: provisional.unit,
      from: all ? null : provisional.from,
      end: provisional.end,
      // Distinct people over the whole window is only needed for 24h; days average per day.
      spread: provisional.unit === "hour" ? { a: null, b: provisional.from, c: provisional.end } : undefined,
      first: all,
    }),
    inFlight(deps, scope, id),
  ]);
  const w = all ? windowOf(timeframe, now, r.first) : provisional;
  const p = periods({ ...w, prevFrom: null }, r.buckets, r.spread);
  const a = activity(p);
  return {
    submissions: a.submissions.value ?? 0,
    completedTasks: a.completedTasks.value ?? 0,
    dailyActiveSubmitters: a.dailyActiveSubmitters.value ?? 0,
    pipelineCompletion: pipelineCompletion(p).value,
    firstReviewPassRate: firstReviewPassRate(p).value,
    avgReviewsPerReviewNode: avgReviewsPerReviewNode(p).value,
    ...queue,
  };
}

/**
 * Tasks waiting at a work node, and active claims, over the scope's projects. An
 * archived project's tasks wait for nobody (its queues are closed) and are not
 * counted as waiting on the org dashboard; its claims may still be finished and are.
 */
async function inFlight(deps: Deps, scope: Scope, id: string) {
  const projects =
    scope === "project" ? [{ id, status: "active" }] : await deps.db.project.findMany({ where: { orgId: id }, select: { id: true, status: true } });
  const counts = await Promise.all(projects.map(async (p) => ({ open: p.status === "active", nodes: await nodeCounts(deps, p.id) })));
  return {
    activeClaims: counts.reduce((s, c) => s + c.nodes.reduce((n, x) => n + x.claimed, 0), 0),
    queuedTasks: counts.reduce((s, c) => s + (c.open ? c.nodes.reduce((n, x) => n + x.available, 0) : 0), 0),
  };
}
