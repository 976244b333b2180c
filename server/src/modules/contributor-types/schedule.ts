// The shape of a contributor type's work schedule. Deciding "open now?" and
// "when does it open?" lives with the claim engine (pure functions of rules + instant).
import { IANAZone } from "luxon";
import { z } from "zod";

const clock = /^([01]\d|2[0-3]):[0-5]\d$/;
// "24:00" ends a day; as a start it would mean the next day's 00:00 (or, with
// end "00:00", a window that never opens), so a window starts by 23:59.
const startTime = z.string().regex(clock, "Use HH:MM, 00:00 to 23:59");
const endTime = z.string().regex(new RegExp(`${clock.source}|^24:00$`), "Use HH:MM, 00:00 to 24:00");

export const windowSchema = z
  .strictObject({
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    start: startTime,
    end: endTime,
  })
  .refine((w) => w.start !== w.end, { message: "A window's start and end must differ", path: ["end"] })
  .refine((w) => new Set(w.days).size === w.days.length, { message: "A day is listed twice", path: ["days"] });

export const exceptionSchema = z.strictObject({
  // Date.parse rolls 2026-02-30 over to March 2nd: a real date reads back the same.
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD").refine(isRealDate, "Not a real date"),
  closed: z.literal(true).default(true),
});

export const scheduleSchema = z.strictObject({
  timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), "Not a known IANA time zone (e.g. Europe/Paris)"),
  windows: z.array(windowSchema).min(1).max(50),
  exceptions: z.array(exceptionSchema).max(1000).default([]),
});

export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleWindow = z.infer<typeof windowSchema>;

function isRealDate(d: string): boolean {
  const t = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
}
