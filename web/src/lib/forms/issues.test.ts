// A refused request's field issues, placed where the form can show them.
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { fieldIssues, issuesOf, itemIssueLines } from "./issues";

const refused = (issues: unknown[]) => new ApiError(400, "invalid_request", "The body is not valid.", { issues });

describe("issuesOf", () => {
  it("reads details.issues of an API error, and nothing from anything else", () => {
    expect(issuesOf(refused([{ in: "body", path: "claimLimit", message: "Too big" }]))).toEqual([{ path: "claimLimit", message: "Too big" }]);
    expect(issuesOf(refused([{ path: ["a", 0], message: "" }]))).toEqual([{ path: "a.0", message: "Check this." }]);
    expect(issuesOf(new ApiError(409, "name_taken", "Taken"))).toEqual([]);
    expect(issuesOf(new Error("boom"))).toEqual([]);
  });
});

describe("fieldIssues", () => {
  it("keys issues by the form's fields and keeps the others for the summary", () => {
    const err = refused([
      { path: "schedule.windows.0.end", message: "Must differ" },
      { path: "schedule.timezone", message: "Unknown zone" },
      { path: "somethingElse", message: "Odd" },
    ]);
    const map = (p: string) => (p === "schedule.timezone" ? "timezone" : p.startsWith("schedule.windows.") ? p.slice("schedule.".length) : null);
    expect(fieldIssues(err, map)).toEqual({ fields: { "windows.0.end": "Must differ", timezone: "Unknown zone" }, rest: [{ path: "somethingElse", message: "Odd" }] });
  });
});

describe("itemIssueLines", () => {
  it("names the item of a bulk body by its number from 1", () => {
    const err = refused([
      { path: "tasks.1.assignTo.userId", message: "Not a contributor of this project" },
      { path: "tasks.7", message: "Not an object" },
    ]);
    expect(itemIssueLines(err, "tasks", "Task")).toEqual(["Task 2: Not a contributor of this project (assignTo.userId)", "Task 8: Not an object"]);
  });

  it("keeps the list short", () => {
    const err = refused(Array.from({ length: 25 }, (_, i) => ({ path: `tasks.${i}.priority`, message: "Too big" })));
    const lines = itemIssueLines(err, "tasks", "Task", 3);
    expect(lines).toEqual(["Task 1: Too big (priority)", "Task 2: Too big (priority)", "Task 3: Too big (priority)", "… and 22 more."]);
  });
});
