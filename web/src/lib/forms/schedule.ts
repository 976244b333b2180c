// The schedule editor's rules (matching the server's schema: IANA time zone,
// windows of days + HH:MM start/end that may cross midnight, dated closures).
import type { Schedule, ScheduleWindow } from "../api/types";

export const DAYS = [
  { n: 1, short: "Mon", long: "Monday" },
  { n: 2, short: "Tue", long: "Tuesday" },
  { n: 3, short: "Wed", long: "Wednesday" },
  { n: 4, short: "Thu", long: "Thursday" },
  { n: 5, short: "Fri", long: "Friday" },
  { n: 6, short: "Sat", long: "Saturday" },
  { n: 7, short: "Sun", long: "Sunday" },
] as const;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isValidTimeZone(tz: string): boolean {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const list = intl.supportedValuesOf?.("timeZone") ?? [];
  return list.includes("UTC") ? list : ["UTC", ...list];
}

export const defaultSchedule = (): Schedule => ({
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
  windows: [{ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" }],
  exceptions: [],
});

/** Errors keyed "timezone", "windows", "windows.<i>.<field>", "exceptions.<i>". */
export function validateSchedule(s: Schedule): Record<string, string> {
  const e: Record<string, string> = {};
  if (!isValidTimeZone(s.timezone)) e.timezone = "Choose a time zone such as Europe/Paris.";
  if (!s.windows.length) e.windows = "Add at least one window, or remove the schedule.";
  s.windows.forEach((w, i) => {
    if (!w.days.length) e[`windows.${i}.days`] = "Pick at least one day.";
    if (!HHMM.test(w.start)) e[`windows.${i}.start`] = "Use HH:MM.";
    if (!HHMM.test(w.end)) e[`windows.${i}.end`] = "Use HH:MM.";
    else if (w.start === w.end) e[`windows.${i}.end`] = "Start and end must differ.";
  });
  const dates = new Set<string>();
  (s.exceptions ?? []).forEach((x, i) => {
    if (!DATE.test(x.date) || Number.isNaN(Date.parse(`${x.date}T00:00:00Z`))) e[`exceptions.${i}`] = "Use a real date.";
    else if (dates.has(x.date)) e[`exceptions.${i}`] = "This date is listed twice.";
    dates.add(x.date);
  });
  return e;
}

/** "Mon–Fri 09:00–17:00", "Sat, Sun 22:00–06:00 (overnight)". */
export function describeWindow(w: ScheduleWindow): string {
  const days = [...w.days].sort((a, b) => a - b);
  const consecutive = days.length > 2 && days.every((d, i) => i === 0 || d === days[i - 1]! + 1);
  const name = (n: number) => DAYS[n - 1]?.short ?? String(n);
  const dayText = consecutive ? `${name(days[0]!)}–${name(days[days.length - 1]!)}` : days.map(name).join(", ");
  const overnight = w.end !== "24:00" && w.end < w.start ? " (overnight)" : "";
  return `${dayText} ${w.start}–${w.end}${overnight}`;
}

/** The schedule as the API takes it: days sorted, exceptions always closed. */
export function toScheduleBody(s: Schedule): Schedule {
  return {
    timezone: s.timezone,
    windows: s.windows.map((w) => ({ days: [...new Set(w.days)].sort((a, b) => a - b), start: w.start, end: w.end })),
    exceptions: (s.exceptions ?? []).map((x) => ({ date: x.date, closed: true as const })),
  };
}
