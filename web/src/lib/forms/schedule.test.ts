import { describe, expect, it } from "vitest";
import { describeWindow, isValidTimeZone, toScheduleBody, validateSchedule } from "./schedule";

describe("schedule editor rules", () => {
  it("accepts a week-day schedule and an overnight window", () => {
    expect(validateSchedule({ timezone: "Europe/Paris", windows: [{ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" }, { days: [6], start: "22:00", end: "06:00" }], exceptions: [] })).toEqual({});
  });

  it("points at an unknown zone, empty days, bad times and repeated dates", () => {
    const e = validateSchedule({
      timezone: "Mars/Olympus",
      windows: [{ days: [], start: "9:00", end: "09:00" }, { days: [1], start: "10:00", end: "10:00" }],
      exceptions: [{ date: "2026-02-30", closed: true }, { date: "2026-12-25", closed: true }, { date: "2026-12-25", closed: true }],
    });
    expect(Object.keys(e).sort()).toEqual(["exceptions.2", "timezone", "windows.0.days", "windows.0.start", "windows.1.end"]);
  });

  it("needs at least one window", () => {
    expect(validateSchedule({ timezone: "UTC", windows: [] }).windows).toBeDefined();
    expect(isValidTimeZone("UTC")).toBe(true);
  });

  it("describes windows in words", () => {
    expect(describeWindow({ days: [5, 1, 2, 3, 4], start: "09:00", end: "17:00" })).toBe("Mon–Fri 09:00–17:00");
    expect(describeWindow({ days: [6, 7], start: "22:00", end: "06:00" })).toBe("Sat, Sun 22:00–06:00 (overnight)");
  });

  it("sends days sorted once and closures marked closed", () => {
    expect(toScheduleBody({ timezone: "UTC", windows: [{ days: [3, 1, 3], start: "08:00", end: "12:00" }], exceptions: [{ date: "2026-01-01", closed: true }] })).toEqual({
      timezone: "UTC",
      windows: [{ days: [1, 3], start: "08:00", end: "12:00" }],
      exceptions: [{ date: "2026-01-01", closed: true }],
    });
  });
});
