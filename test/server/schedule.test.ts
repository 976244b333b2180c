// Work schedules as pure functions of (schedule, instant): plain UTC instants in,
// no clock, no services. Expected instants are written in UTC with the local
// time they mean beside them.
import { describe, expect, it } from "vitest";
import type { Schedule } from "../../server/src/modules/contributor-types/schedule";
import { scheduleState } from "../../server/src/queue/schedule";

const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();
const sched = (timezone: string, windows: Schedule["windows"], closed: string[] = []): Schedule => ({
  timezone,
  windows,
  exceptions: closed.map((date) => ({ date, closed: true as const })),
});

describe("weekly windows", () => {
  const office = sched("Europe/Paris", [{ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" }]);

  it("is open inside a window and says when it closes", () => {
    // Monday 2026-06-15 10:00 in Paris (UTC+2)
    const s = scheduleState(office, at("2026-06-15T08:00:00Z"));
    expect(s).toEqual({ open: true, closesAt: at("2026-06-15T15:00:00Z") });
  });

  it("is closed after hours and opens the next working morning", () => {
    expect(iso(scheduleState(office, at("2026-06-15T16:00:00Z")).opensAt)).toBe("2026-06-16T07:00:00.000Z");
    // Friday 18:00 → Monday 09:00
    const fri = scheduleState(office, at("2026-06-19T16:00:00Z"));
    expect(fri.open).toBe(false);
    expect(iso(fri.opensAt)).toBe("2026-06-22T07:00:00.000Z");
  });

  it("treats the start as inclusive and the end as exclusive", () => {
    expect(scheduleState(office, at("2026-06-15T07:00:00Z")).open).toBe(true);
    expect(scheduleState(office, at("2026-06-15T06:59:59.999Z")).open).toBe(false);
    expect(scheduleState(office, at("2026-06-15T15:00:00Z")).open).toBe(false);
  });

  it("merges windows that touch", () => {
    const split = sched("UTC", [
      { days: [1], start: "08:00", end: "12:00" },
      { days: [1], start: "12:00", end: "18:00" },
    ]);
    expect(scheduleState(split, at("2026-06-15T09:00:00Z"))).toEqual({ open: true, closesAt: at("2026-06-15T18:00:00Z") });
  });

  it("is open around the clock without a closing time inside the week", () => {
    const always = sched("Asia/Tokyo", [{ days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "24:00" }]);
    expect(scheduleState(always, at("2026-01-01T00:00:00Z"))).toEqual({ open: true });
  });
});

describe("windows across midnight", () => {
  // Friday nights only, 22:00 → 06:00 in New York (EDT, UTC-4 in June)
  const nights = sched("America/New_York", [{ days: [5], start: "22:00", end: "06:00" }]);

  it("keeps a Friday window open into Saturday morning", () => {
    // Saturday 2026-06-20 03:00 local
    expect(scheduleState(nights, at("2026-06-20T07:00:00Z"))).toEqual({ open: true, closesAt: at("2026-06-20T10:00:00Z") });
  });

  it("does not open on Saturday night, which is not a listed day", () => {
    const s = scheduleState(nights, at("2026-06-21T03:00:00Z")); // Saturday 23:00
    expect(s.open).toBe(false);
    expect(iso(s.opensAt)).toBe("2026-06-27T02:00:00.000Z"); // next Friday 22:00
  });

  it("takes an end of 00:00 as the next midnight", () => {
    const evening = sched("UTC", [{ days: [3], start: "18:00", end: "00:00" }]);
    expect(scheduleState(evening, at("2026-06-17T23:00:00Z"))).toEqual({ open: true, closesAt: at("2026-06-18T00:00:00Z") });
  });
});

describe("DST change days, New York", () => {
  it("a window across the spring-forward jump is an hour shorter", () => {
    // Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
    const s = sched("America/New_York", [{ days: [7], start: "01:00", end: "04:00" }]);
    expect(scheduleState(s, at("2026-03-08T06:59:00Z"))).toEqual({ open: true, closesAt: at("2026-03-08T08:00:00Z") });
    expect(scheduleState(s, at("2026-03-08T07:00:00Z")).open).toBe(true);
    expect(scheduleState(s, at("2026-03-08T08:00:00Z")).open).toBe(false);
  });

  it("a start inside the skipped hour opens when the clock jumps past it", () => {
    const s = sched("America/New_York", [{ days: [7], start: "02:30", end: "05:00" }]);
    const before = scheduleState(s, at("2026-03-08T06:30:00Z")); // 01:30 EST
    expect(iso(before.opensAt)).toBe("2026-03-08T07:00:00.000Z"); // 03:00 EDT
    expect(scheduleState(s, at("2026-03-08T07:00:00Z"))).toEqual({ open: true, closesAt: at("2026-03-08T09:00:00Z") });
    // a week later it is an ordinary 02:30 EDT
    expect(iso(scheduleState(s, at("2026-03-08T09:30:00Z")).opensAt)).toBe("2026-03-15T06:30:00.000Z");
  });

  it("a night window across the fall-back hour is an hour longer", () => {
    // Saturday 2026-10-31 22:00 EDT (02:00Z) → Sunday 06:00 EST (11:00Z): 9 hours.
    const s = sched("America/New_York", [{ days: [6], start: "22:00", end: "06:00" }]);
    expect(scheduleState(s, at("2026-11-01T02:00:00Z"))).toEqual({ open: true, closesAt: at("2026-11-01T11:00:00Z") });
    expect(scheduleState(s, at("2026-11-01T10:59:00Z")).open).toBe(true);
  });

  it("a time that happens twice means its first occurrence", () => {
    // 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    const s = sched("America/New_York", [{ days: [7], start: "01:30", end: "03:00" }]);
    expect(iso(scheduleState(s, at("2026-11-01T05:00:00Z")).opensAt)).toBe("2026-11-01T05:30:00.000Z");
    expect(scheduleState(s, at("2026-11-01T05:45:00Z"))).toEqual({ open: true, closesAt: at("2026-11-01T08:00:00Z") });
  });
});

describe("DST change days, Berlin", () => {
  it("a window wholly inside the skipped hour does not open that day", () => {
    // Sunday 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z).
    const s = sched("Europe/Berlin", [{ days: [7], start: "02:15", end: "02:45" }]);
    const st = scheduleState(s, at("2026-03-29T00:30:00Z"));
    expect(st.open).toBe(false);
    expect(iso(st.opensAt)).toBe("2026-04-05T00:15:00.000Z"); // next Sunday 02:15 CEST
  });

  it("the fall-back Sunday lasts 25 hours", () => {
    // Sunday 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00Z).
    const s = sched("Europe/Berlin", [{ days: [7], start: "00:00", end: "24:00" }]);
    const st = scheduleState(s, at("2026-10-24T22:00:00Z")); // Sunday 00:00 CEST
    expect(st).toEqual({ open: true, closesAt: at("2026-10-25T23:00:00Z") }); // Monday 00:00 CET
  });

  it("morning windows keep their local time on both sides of the change", () => {
    const s = sched("Europe/Berlin", [{ days: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "09:00" }]);
    expect(iso(scheduleState(s, at("2026-03-28T12:00:00Z")).opensAt)).toBe("2026-03-29T06:00:00.000Z"); // CEST
    expect(iso(scheduleState(s, at("2026-10-24T12:00:00Z")).opensAt)).toBe("2026-10-25T07:00:00.000Z"); // CET
  });
});

describe("holiday exceptions", () => {
  it("closes a whole listed day and opens on the next working day", () => {
    const s = sched("Europe/Paris", [{ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" }], ["2026-12-25"]);
    const st = scheduleState(s, at("2026-12-25T10:00:00Z")); // Friday, Christmas
    expect(st.open).toBe(false);
    expect(iso(st.opensAt)).toBe("2026-12-28T08:00:00.000Z"); // Monday 09:00 CET
  });

  it("cuts a night window at the local midnight of a closed day", () => {
    // Thursday 22:00 → Friday 06:00 in Tokyo (UTC+9), Friday closed.
    const s = sched("Asia/Tokyo", [{ days: [4], start: "22:00", end: "06:00" }], ["2026-06-19"]);
    expect(scheduleState(s, at("2026-06-18T14:00:00Z"))).toEqual({ open: true, closesAt: at("2026-06-18T15:00:00Z") });
    expect(scheduleState(s, at("2026-06-18T16:00:00Z")).open).toBe(false); // Friday 01:00
  });

  it("keeps the part of a night window that falls after a closed day", () => {
    const s = sched("Asia/Tokyo", [{ days: [4], start: "22:00", end: "06:00" }], ["2026-06-18"]);
    const st = scheduleState(s, at("2026-06-18T14:00:00Z")); // Thursday 23:00, Thursday closed
    expect(st.open).toBe(false);
    expect(iso(st.opensAt)).toBe("2026-06-18T15:00:00.000Z"); // Friday 00:00
  });

  it("looks past a long run of closed days", () => {
    const days = Array.from({ length: 20 }, (_, i) => `2026-08-${String(i + 1).padStart(2, "0")}`);
    const s = sched("UTC", [{ days: [1, 2, 3, 4, 5, 6, 7], start: "10:00", end: "11:00" }], days);
    expect(iso(scheduleState(s, at("2026-07-31T12:00:00Z")).opensAt)).toBe("2026-08-21T10:00:00.000Z");
  });

  it("reads exception dates in the schedule's zone, not in UTC", () => {
    // 2026-07-04 00:30 in Los Angeles is 07:30Z; a UTC reading would call it the 4th too late.
    const s = sched("America/Los_Angeles", [{ days: [5, 6], start: "00:00", end: "24:00" }], ["2026-07-04"]);
    expect(scheduleState(s, at("2026-07-04T06:30:00Z")).open).toBe(true); // Friday 23:30 local
    expect(scheduleState(s, at("2026-07-04T07:30:00Z")).open).toBe(false); // Saturday 00:30 local
  });
});
