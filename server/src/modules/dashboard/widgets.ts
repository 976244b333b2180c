// The widgets, computed from bucket rows (stats.ts). Pure functions: the exact
// definitions they follow are written in docs/metrics.md.
import { EMPTY, type Bucket, type Spread } from "./stats";
import { previousBuckets, stepOf, type Window } from "./timeframe";

export interface Point {
  t: string;
  v: number | null;
}
export interface Metric {
  value: number | null;
  previous: number | null;
  series: Point[];
}

/** A ratio, or null when nothing was measured (a zero denominator). */
export const ratio = (num: number, den: number) => (den > 0 ? num / den : null);

type Key = keyof Bucket;
const total = (bs: Bucket[], k: Key) => bs.reduce((s, b) => s + b[k], 0);

export interface Periods {
  window: Window;
  current: Bucket[];
  /** Same length as current; empty for "all". */
  previous: Bucket[];
  /** Distinct submitters and per-person maximum over each whole period. */
  spread: { current: Spread; previous: Spread };
}

export function periods(window: Window, rows: Map<number, Bucket>, spread: Periods["spread"]): Periods {
  const at = (t: Date) => rows.get(t.getTime()) ?? EMPTY;
  return { window, current: window.buckets.map(at), previous: previousBuckets(window).map(at), spread };
}

function metric(p: Periods, whole: (bs: Bucket[], which: "current" | "previous") => number | null, each: (b: Bucket) => number | null): Metric {
  return {
    value: whole(p.current, "current"),
    previous: p.window.prevFrom ? whole(p.previous, "previous") : null,
    series: p.window.buckets.map((t, i) => ({ t: t.toISOString(), v: each(p.current[i]!) })),
  };
}

const count = (p: Periods, k: Key) =>
  metric(
    p,
    (bs) => total(bs, k),
    (b) => b[k],
  );
const rate = (p: Periods, num: Key, den: Key) =>
  metric(
    p,
    (bs) => ratio(total(bs, num), total(bs, den)),
    (b) => ratio(b[num], b[den]),
  );

export function activity(p: Periods) {
  return {
    submissions: count(p, "submissions"),
    completedTasks: count(p, "completedTasks"),
    // Hours: distinct people in the whole window. Days: the mean of each day's distinct count.
    dailyActiveSubmitters: metric(
      p,
      (bs, which) => (p.window.unit === "hour" ? p.spread[which].active : total(bs, "activeSubmitters") / bs.length),
      (b) => b.activeSubmitters,
    ),
  };
}

export function pipelineCompletion(p: Periods) {
  const completed = total(p.current, "tasksCreatedCompleted");
  const all = total(p.current, "tasksCreated");
  return { value: ratio(completed, all), completed, total: all };
}

export function engagement(p: Periods) {
  return {
    avgSubmissionsPerActiveContributor: metric(
      p,
      (bs, which) => ratio(total(bs, "submissions"), p.spread[which].active),
      (b) => ratio(b.submissions, b.activeSubmitters),
    ),
    maxSubmissionsByContributor: metric(
      p,
      (_bs, which) => p.spread[which].max,
      (b) => b.maxUserSubmissions,
    ),
  };
}

export const firstReviewPassRate = (p: Periods) => rate(p, "firstReviewPasses", "firstReviews");
export const avgReviewsPerReviewNode = (p: Periods) => rate(p, "reviews", "firstReviews");

/** Projects existing at the end of each bucket (by creation time), and the drill-down list. */
export function projectsWidget(window: Window, projects: Array<{ id: string; name: string; status: string; createdAt: Date; contributors: number }>) {
  const step = stepOf(window.unit);
  const existing = (before: number) => projects.filter((p) => p.createdAt.getTime() < before).length;
  return {
    count: projects.length,
    previous: window.prevFrom ? existing(window.from.getTime()) : null,
    series: window.buckets.map((t) => ({ t: t.toISOString(), v: existing(t.getTime() + step) })),
    items: projects.map((p) => ({ id: p.id, name: p.name, status: p.status as "active" | "archived", contributors: p.contributors })),
  };
}
