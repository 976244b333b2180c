// One dashboard answer: the window of the timeframe, its aggregate rows (and the
// previous period's) in one read, then the widgets. Reads only; nothing here writes.
import type { Deps } from "../../deps";
import { readScope, type Scope } from "./stats";
import { windowOf, type Timeframe } from "./timeframe";
import { activity, avgReviewsPerReviewNode, engagement, firstReviewPassRate, periods, pipelineCompletion, projectsWidget } from "./widgets";

export async function readDashboard(deps: Deps, scope: Scope, id: string, timeframe: Timeframe) {
  const now = deps.clock.now();
  const all = timeframe === "all";
  // "all" starts at the scope's first day, which comes back with the rows.
  const provisional = windowOf(timeframe, now);
  const r = await readScope(deps.db, scope, id, {
    unit: provisional.unit,
    from: all ? null : provisional.prevFrom,
    end: provisional.end,
    spread: { a: provisional.prevFrom, b: all ? null : provisional.from, c: provisional.end },
    first: all,
    projects: scope === "org",
  });
  const w = all ? windowOf(timeframe, now, r.first) : provisional;
  const p = periods(w, r.buckets, r.spread);
  return {
    timeframe,
    from: w.from.toISOString(),
    to: now.toISOString(),
    widgets: {
      // The project dashboard has no projects widget (API.md).
      ...(scope === "org" ? { projects: projectsWidget(w, r.projects) } : {}),
      activity: activity(p),
      pipelineCompletion: pipelineCompletion(p),
      engagement: engagement(p),
      firstReviewPassRate: firstReviewPassRate(p),
      avgReviewsPerReviewNode: avgReviewsPerReviewNode(p),
    },
  };
}
