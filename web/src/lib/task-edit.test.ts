import { describe, expect, it } from "vitest";
import type { ContributorType, Member } from "./api/types";
import { assigneeOptions, assigneeValue, assignmentOf, canCancel, canReopen, editBody, editable, priorityError } from "./task-edit";

const member = (userId: string, name: string, role: Member["role"], type: string | null = null): Member => ({
  userId, name, email: `${userId}@x`, role, contributorType: type ? { id: type, name: type.toUpperCase() } : null, createdAt: "",
});
const type = (id: string, name: string) => ({ id, name }) as ContributorType;

describe("task edit rules", () => {
  it("offers the project's contributors (not owners or viewers) and its types, by name", () => {
    const g = assigneeOptions([member("u2", "Zoe", "contributor", "ev"), member("u1", "Ann", "owner"), member("u3", "Bob", "contributor"), member("u4", "Vic", "viewer")], [type("t2", "Reviewers"), type("t1", "Evaluators")]);
    expect(g.people).toEqual([{ value: "u:u3", label: "Bob" }, { value: "u:u2", label: "Zoe (EV)" }]);
    expect(g.types).toEqual([{ value: "t:t1", label: "Any Evaluators" }, { value: "t:t2", label: "Any Reviewers" }]);
  });

  it("maps an assignment to the picker's value and back", () => {
    expect(assigneeValue({ assignedUserId: "u1", assignedTypeId: null })).toBe("u:u1");
    expect(assigneeValue({ assignedUserId: null, assignedTypeId: "t1" })).toBe("t:t1");
    expect(assigneeValue({ assignedUserId: null, assignedTypeId: null })).toBe("");
    expect([assignmentOf("u:u1"), assignmentOf("t:t1"), assignmentOf("")]).toEqual([{ userId: "u1" }, { contributorTypeId: "t1" }, null]);
  });

  it("sends only what changed, and nothing for an invalid priority", () => {
    const t = { priority: 0, assignedUserId: "u1", assignedTypeId: null };
    expect(editBody(t, { priority: 0, assignee: "u:u1" })).toBeNull();
    expect(editBody(t, { priority: "5", assignee: "u:u1" })).toEqual({ priority: 5 });
    expect(editBody(t, { priority: 0, assignee: "" })).toEqual({ assignment: null });
    expect(editBody(t, { priority: 2, assignee: "t:t9" })).toEqual({ priority: 2, assignment: { contributorTypeId: "t9" } });
    expect(editBody(t, { priority: 1.5, assignee: "u:u1" })).toBeNull();
    expect([priorityError(1001), priorityError(-1000), priorityError(""), priorityError(null), priorityError("x")]).toEqual([
      "From -1000 to 1000.", null, "A whole number.", "A whole number.", "A whole number.",
    ]);
  });

  it("cancels queued or claimed tasks, reopens cancelled ones, leaves completed ones alone", () => {
    expect(["queued", "claimed", "completed", "cancelled"].map((status) => [canCancel({ status } as never), canReopen({ status } as never), editable({ status } as never)])).toEqual([
      [true, false, true], [true, false, true], [false, false, false], [false, true, true],
    ]);
  });
});
