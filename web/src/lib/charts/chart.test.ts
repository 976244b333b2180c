import { describe, expect, it } from "vitest";
import { describeSeries, isolated, pointLabels } from "./chart";

describe("chart helpers", () => {
  it("finds values a line cannot show", () => {
    const data = [null, 2, null, 3, 4, null];
    expect(data.map((_, i) => isolated(data, i))).toEqual([false, true, false, false, false, false]);
    expect(isolated([5], 0)).toBe(true);
  });

  it("describes a series in one sentence for screen readers", () => {
    expect(describeSeries("Submissions", [{ t: "a", v: 1 }, { t: "b", v: null }, { t: "c", v: 4 }])).toBe("Submissions: 2 points, from 1 to 4, highest 4.");
    expect(describeSeries("Pass rate", [{ t: "a", v: null }])).toBe("Pass rate: no data in this period.");
  });

  it("labels hours for a day and dates otherwise", () => {
    const series = [{ t: "2026-03-04T10:00:00Z", v: 1 }];
    expect(pointLabels(series, "24h")[0]).toMatch(/\d\d:\d\d|\d{1,2}:\d\d/);
    expect(pointLabels(series, "7d")[0]).toMatch(/Mar|3/);
  });

  it("labels a day bucket with its UTC date, whatever the viewer's zone", () => {
    const zone = process.env.TZ;
    process.env.TZ = "America/New_York"; // 2026-03-15T00:00Z is still 03-14 there
    try {
      const utc = (t: string) => new Date(t).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
      const series = [{ t: "2026-03-15T00:00:00.000Z", v: 1 }, { t: "2026-03-16T00:00:00.000Z", v: 2 }];
      expect(pointLabels(series, "7d")).toEqual([utc("2026-03-15T00:00:00Z"), utc("2026-03-16T00:00:00Z")]);
      expect(pointLabels(series, "all")[0]).toBe(utc("2026-03-15T00:00:00Z"));
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
