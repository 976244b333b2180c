import { describe, expect, it } from "vitest";
import { historyLine, type HistoryStep } from "./history";

const alice = { id: "u1", name: "Alice" };
const rita = { id: "u2", name: "Rita" };
const owen = { id: "u3", name: "Owen" };
const step = (type: string, user: HistoryStep["user"], more: Partial<HistoryStep> = {}): HistoryStep => ({
  type, at: "2026-01-01T00:00:00Z", user, by: null, nodeId: "n1", claimId: null, data: null, ...more,
});

describe("historyLine", () => {
  it("names the reviewer who returned the work and the author it went back to", () => {
    const reviewed = step("reviewed", rita, { data: { verdict: "return", round: 1 } });
    const returned = step("returned", alice, { data: { from: "n2" } });
    expect(historyLine(reviewed).text).toBe("Reviewed by Rita: sent back for rework");
    expect(historyLine(returned, reviewed).text).toBe("Returned by Rita to Alice for rework");
    expect(historyLine(returned).text).toBe("Returned to Alice for rework");
  });

  it("names the admin who revoked a claim and its holder", () => {
    expect(historyLine(step("revoked", alice, { by: owen, data: { by: owen.id } })).text).toBe("Revoked by Owen (held by Alice)");
    expect(historyLine(step("revoked", alice)).text).toBe("Revoked (held by Alice)");
  });

  it("says who claimed, submitted, released, and whose lease expired", () => {
    expect(historyLine(step("claimed", alice)).text).toBe("Claimed by Alice");
    expect(historyLine(step("submitted", alice, { data: { attempt: 2 } })).text).toBe("Submitted by Alice (attempt 2)");
    expect(historyLine(step("submitted", alice, { data: { attempt: 1 } })).text).toBe("Submitted by Alice");
    expect(historyLine(step("released", alice)).text).toBe("Released by Alice");
    expect(historyLine(step("expired", alice)).text).toBe("Lease expired (held by Alice)");
    expect(historyLine(step("reviewed", rita, { data: { verdict: "pass" } })).text).toBe("Reviewed by Rita: passed");
  });

  it("says what an Owner changed, and who: priority, assignment, cancel, reopen", () => {
    const by = { by: owen };
    expect(historyLine(step("updated", null, { ...by, data: { by: owen.id, priority: { from: 0, to: 5 } } })).text).toBe("Priority 0 → 5 by Owen");
    expect(historyLine(step("updated", alice, { ...by, data: { by: owen.id, assignment: { from: null, to: { userId: alice.id } } } })).text).toBe("Assigned to Alice by Owen");
    expect(historyLine(step("updated", null, { ...by, data: { by: owen.id, priority: { from: 1, to: 2 }, assignment: { from: { userId: "u1" }, to: null } } })).text).toBe(
      "Priority 1 → 2, assignment cleared by Owen",
    );
    expect(historyLine(step("updated", null, { ...by, data: { by: owen.id, assignment: { from: null, to: { contributorTypeId: "t1" } } } })).text).toBe("Assigned to a contributor type by Owen");
    // Cleared by the delete of the type a cancelled task was assigned to.
    expect(
      historyLine(step("updated", null, { ...by, data: { by: owen.id, assignment: { from: { contributorTypeId: "t1" }, to: null }, reason: "type_deleted" } })).text,
    ).toBe("Assignment cleared: its contributor type was deleted by Owen");
    expect(historyLine(step("cancelled", null, by)).text).toBe("Cancelled by Owen");
    expect(historyLine(step("reopened", null, by)).text).toBe("Reopened by Owen");
  });

  it("puts a move towards its new node and the rest at theirs", () => {
    expect(historyLine(step("moved", null))).toEqual({ text: "Moved on", nodeWord: "to" });
    expect(historyLine(step("imported", null))).toEqual({ text: "Imported", nodeWord: "at" });
  });
});
