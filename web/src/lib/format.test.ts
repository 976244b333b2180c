import { describe, expect, it } from "vitest";
import { ago, byteSize, claimReason, countdown, initials, number, opensAt, percent } from "./format";
import { shouldNotifyDesktop, titleWithCount } from "./notify";
import { isTyping, shortcutOf } from "./shortcuts";

describe("format", () => {
  it("counts down in minutes and seconds, hours when needed, never below zero", () => {
    expect(countdown(65_000)).toBe("1:05");
    expect(countdown(3_723_000)).toBe("1:02:03");
    expect(countdown(-5)).toBe("0:00");
    expect(countdown(1400)).toBe("0:01");
  });

  it("says a size in bytes, KB or MB", () => {
    expect([byteSize(512), byteSize(3500), byteSize(1.5 * 1024 * 1024)]).toEqual(["512 B", "3.4 KB", "1.5 MB"]);
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(ago("2026-01-01T11:59:50Z", now)).toBe("just now");
    expect(ago("2026-01-01T11:30:00Z", now)).toBe("30 min ago");
    expect(ago("2026-01-01T09:00:00Z", now)).toBe("3 h ago");
    expect(ago(null, now)).toBe("never");
  });

  it("explains why a claim is not possible, with when the schedule opens", () => {
    expect(claimReason("claim_limit_reached")).toMatch(/as many claims/);
    // With no contributor type: the limit and why, not "your type".
    expect(claimReason("claim_limit_reached", null, 1)).toBe("With no contributor type you can hold 1 claim at a time. Finish or release it first.");
    expect(claimReason("claim_limit_reached", null, 2)).toBe("With no contributor type you can hold 2 claims at a time. Finish or release one first.");
    expect(claimReason("wrong_contributor_type")).toMatch(/different contributor type/);
    const now = new Date();
    const soon = new Date(now.getTime() + 60_000).toISOString();
    expect(claimReason("outside_schedule", soon)).toContain(`Opens ${opensAt(soon, now)}`);
    expect(claimReason(undefined)).toBe("");
    expect(claimReason("something_new")).toBe("something new");
  });

  it("formats ratios, numbers and initials", () => {
    expect(percent(0.256)).toBe("26%");
    expect(percent(null)).toBe("—");
    expect(number(2.345)).toBe((2.3).toLocaleString());
    expect(initials("Ada Lovelace")).toBe("AL");
    expect(initials("rita")).toBe("R");
  });
});

describe("notifications in the background", () => {
  it("puts the unread count in the tab title", () => {
    expect(titleWithCount("Queue · Pipelines", 0)).toBe("Queue · Pipelines");
    expect(titleWithCount("Queue · Pipelines", 3)).toBe("(3) Queue · Pipelines");
    expect(titleWithCount("X", 150)).toBe("(99+) X");
  });

  it("raises a desktop notification only when hidden and allowed", () => {
    expect(shouldNotifyDesktop(true, "granted")).toBe(true);
    expect(shouldNotifyDesktop(false, "granted")).toBe(false);
    expect(shouldNotifyDesktop(true, "default")).toBe(false);
    expect(shouldNotifyDesktop(true, "denied")).toBe(false);
    expect(shouldNotifyDesktop(true, "unsupported")).toBe(false);
  });
});

describe("keyboard shortcuts", () => {
  const key = (k: string, more: Partial<KeyboardEvent> & { target?: EventTarget | null } = {}) =>
    ({ key: k, code: "", ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, target: document.body, ...more }) as KeyboardEvent;

  it("claims with C, submits with Ctrl/Cmd+Enter, releases with Alt+R", () => {
    expect(shortcutOf(key("c"))).toBe("claim");
    expect(shortcutOf(key("Enter", { ctrlKey: true }))).toBe("submit");
    expect(shortcutOf(key("Enter", { ctrlKey: true, shiftKey: true }))).toBe("submit-next");
    expect(shortcutOf(key("Enter", { metaKey: true }))).toBe("submit");
    expect(shortcutOf(key("®", { altKey: true, code: "KeyR" }))).toBe("release");
    expect(shortcutOf(key("Enter"))).toBeNull();
  });

  it("never claims while the user types in a field", () => {
    const area = document.createElement("textarea");
    const radio = Object.assign(document.createElement("input"), { type: "radio" });
    expect(isTyping(area)).toBe(true);
    expect(isTyping(radio)).toBe(false);
    expect(shortcutOf(key("c", { target: area }))).toBeNull();
    expect(shortcutOf(key("Enter", { ctrlKey: true, target: area }))).toBe("submit");
  });
});
