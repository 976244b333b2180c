// Is a contributor type's work schedule open at an instant, and when does it
// open or close? Pure functions of (schedule, instant): no clock, no I/O.
//
// Rules (docs/architecture.md, "Schedules"):
// - A window opens on each listed ISO weekday at `start` local time and closes
//   at `end`; an `end` at or before `start` means the next day (crosses midnight);
//   "24:00" is the next midnight.
// - A local time HH:MM on a date is the first instant the wall clock there shows
//   HH:MM or later: on a spring-forward day 02:30 is the jump itself (03:00 EDT),
//   on a fall-back day 01:30 is its first occurrence.
// - A dated exception closes that whole local calendar day, including the part
//   of a window that crossed into it from the evening before.
import { IANAZone } from "luxon";
import type { Schedule } from "../modules/contributor-types/schedule";

export interface ScheduleState {
  open: boolean;
  /** When closed: the next opening (absent if none within ~400 days). */
  opensAt?: Date;
  /** When open: the next closing (absent if not within the coming week). */
  closesAt?: Date;
}

type Interval = [number, number]; // [start, end) in epoch ms
const DAY = 86_400_000;
const WEEK_AHEAD = 8;
const MAX_DAYS_AHEAD = 400;

export function scheduleState(schedule: Schedule, instant: Date): ScheduleState {
  const zone = IANAZone.create(schedule.timezone);
  const t = instant.getTime();
  const today = localDay(zone, t);
  const closed = new Set(schedule.exceptions?.map((e) => dayNumber(e.date)) ?? []);

  const near = openIntervals(schedule, zone, closed, today - 1, today + WEEK_AHEAD);
  const current = near.find(([s, e]) => s <= t && t < e);
  if (current) {
    const reachesHorizon = current[1] >= wallInstant(zone, today + WEEK_AHEAD + 1, 0);
    return reachesHorizon ? { open: true } : { open: true, closesAt: new Date(current[1]) };
  }
  // Closed: look forward in chunks (many consecutive closed days are possible).
  for (let from = today - 1; from <= today + MAX_DAYS_AHEAD; from += WEEK_AHEAD) {
    const next = openIntervals(schedule, zone, closed, from, from + WEEK_AHEAD).find(([s]) => s > t);
    if (next) return { open: false, opensAt: new Date(next[0]) };
  }
  return { open: false };
}

/** Merged open intervals of windows starting on local days [fromDay, toDay]. */
function openIntervals(schedule: Schedule, zone: IANAZone, closed: Set<number>, fromDay: number, toDay: number): Interval[] {
  const raw: Interval[] = [];
  for (let day = fromDay; day <= toDay; day++) {
    const weekday = isoWeekday(day);
    for (const w of schedule.windows) {
      if (!w.days.includes(weekday)) continue;
      const start = minutes(w.start);
      const end = minutes(w.end);
      const endDay = end <= start ? day + 1 : day;
      raw.push([wallInstant(zone, day, start), wallInstant(zone, endDay, end)]);
    }
  }
  const pieces = raw.flatMap((iv) => withoutClosedDays(iv, zone, closed));
  return merge(pieces);
}

/** Cuts the parts of an interval that fall on closed local dates. */
function withoutClosedDays([s, e]: Interval, zone: IANAZone, closed: Set<number>): Interval[] {
  if (closed.size === 0 || e <= s) return e > s ? [[s, e]] : [];
  const out: Interval[] = [];
  let day = localDay(zone, s);
  let cursor = s;
  while (cursor < e) {
    const dayEnd = Math.min(e, wallInstant(zone, day + 1, 0));
    if (!closed.has(day) && dayEnd > cursor) out.push([cursor, dayEnd]);
    cursor = dayEnd;
    day++;
  }
  return out;
}

function merge(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else out.push([iv[0], iv[1]]);
  }
  return out;
}

// ── civil days and wall clocks ──
// A "day number" is days since 1970-01-01 of a civil (calendar) date, zone-free.

const dayNumber = (isoDate: string) => Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / DAY);
const isoWeekday = (day: number) => ((new Date(day * DAY).getUTCDay() + 6) % 7) + 1;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const wallOf = (zone: IANAZone, t: number) => t + zone.offset(t) * 60_000;

/** The local calendar day of an instant. */
function localDay(zone: IANAZone, t: number): number {
  return Math.floor(wallOf(zone, t) / DAY);
}

/** The first instant at which the local wall clock shows `day` + `mins` or later. */
export function wallInstant(zone: IANAZone, day: number, mins: number): number {
  const naive = day * DAY + mins * 60_000; // the wall time written as if it were UTC
  const offsets = new Set([zone.offset(naive - DAY), zone.offset(naive), zone.offset(naive + DAY)]);
  const exact = [...offsets].map((o) => naive - o * 60_000).filter((t) => wallOf(zone, t) === naive);
  if (exact.length) return Math.min(...exact); // fall-back: the first occurrence
  // Spring-forward gap: the wall time never shows; find the jump past it.
  const candidates = [...offsets].map((o) => naive - o * 60_000);
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallOf(zone, mid) >= naive) hi = mid;
    else lo = mid;
  }
  return hi;
}
