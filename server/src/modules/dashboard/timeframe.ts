// Which buckets a timeframe covers. Windows are whole UTC buckets ending with the
// one holding "now": 24h = this hour and the 23 before it; 7d/30d/90d = today
// and the 6/29/89 days before; all = every day since the scope's first one. The
// previous period is the same number of buckets just before (none for "all").
// docs/metrics.md states the same in words.
import { TIMEFRAMES, type Timeframe } from "../../shared/socket-events";

export { TIMEFRAMES, type Timeframe };

export type Unit = "hour" | "day";

export interface Window {
  timeframe: Timeframe;
  unit: Unit;
  /** Start of the first bucket of the window. */
  from: Date;
  /** End of the last bucket (exclusive): the window is [from, end). */
  end: Date;
  /** Start of the previous period, which ends at `from`; null for "all". */
  prevFrom: Date | null;
  /** Bucket starts of the window, oldest first. */
  buckets: Date[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DAYS: Record<Exclude<Timeframe, "24h" | "all">, number> = { "7d": 7, "30d": 30, "90d": 90 };

export const floorHour = (t: Date) => new Date(Math.floor(t.getTime() / HOUR) * HOUR);
export const floorDay = (t: Date) => new Date(Math.floor(t.getTime() / DAY) * DAY);
export const stepOf = (unit: Unit) => (unit === "hour" ? HOUR : DAY);

/** `firstDay` (the scope's first day with anything in it) only matters for "all". */
export function windowOf(timeframe: Timeframe, now: Date, firstDay?: Date | null): Window {
  if (timeframe === "24h") {
    const from = new Date(floorHour(now).getTime() - 23 * HOUR);
    return build(timeframe, "hour", from, 24, new Date(from.getTime() - 24 * HOUR));
  }
  const today = floorDay(now);
  if (timeframe === "all") {
    const first = firstDay && firstDay < today ? floorDay(firstDay) : today;
    return build(timeframe, "day", first, Math.round((today.getTime() - first.getTime()) / DAY) + 1, null);
  }
  const n = DAYS[timeframe];
  const from = new Date(today.getTime() - (n - 1) * DAY);
  return build(timeframe, "day", from, n, new Date(from.getTime() - n * DAY));
}

function build(timeframe: Timeframe, unit: Unit, from: Date, count: number, prevFrom: Date | null): Window {
  const step = stepOf(unit);
  const buckets = Array.from({ length: count }, (_, i) => new Date(from.getTime() + i * step));
  return { timeframe, unit, from, end: new Date(from.getTime() + count * step), prevFrom, buckets };
}

/** The previous period's bucket starts (same count, just before `from`). */
export function previousBuckets(w: Window): Date[] {
  if (!w.prevFrom) return [];
  const step = stepOf(w.unit);
  return w.buckets.map((_, i) => new Date(w.prevFrom!.getTime() + i * step));
}
