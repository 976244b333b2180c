import { describe, expect, it } from "vitest";
import { dayStart, explorerQuery, statusBadge, TASK_STATUSES } from "./explorer";

describe("explorer filters", () => {
  it("leaves out empty filters and keeps the rest as they are", () => {
    expect(explorerQuery({ status: "queued", agentId: "", contributorTypeId: "t1", contributorId: "u1" })).toEqual({
      status: "queued",
      contributorTypeId: "t1",
      contributorId: "u1",
    });
  });

  it("turns local days into instants: from the first day's start to the end of the last day", () => {
    const q = explorerQuery({ from: "2026-03-01", to: "2026-03-31" });
    expect(q).toEqual({ createdFrom: new Date(2026, 2, 1).toISOString(), createdTo: new Date(2026, 3, 1).toISOString() });
    expect(explorerQuery({ from: "2026-03-01", to: "2026-03-01" }).createdTo).toBe(new Date(2026, 2, 2).toISOString());
  });

  it("ignores a day it cannot read", () => {
    expect(dayStart("yesterday")).toBeUndefined();
    expect(explorerQuery({ from: "1/3/2026" })).toEqual({});
  });

  it("offers every status the API filters by, cancelled included, each with its own badge", () => {
    expect(TASK_STATUSES.map((s) => [s.value, s.label])).toEqual([
      ["queued", "Queued"],
      ["claimed", "Claimed"],
      ["completed", "Completed"],
      ["cancelled", "Cancelled"],
    ]);
    expect(TASK_STATUSES.map((s) => statusBadge(s.value))).toEqual(["", "accent", "ok", "danger"]);
    expect(statusBadge("something new")).toBe("");
  });
});
