import { describe, expect, it } from "vitest";
import type { Criterion } from "../api/types";
import { answerRows, cleanAnswers, errorsFromDetails, validateAnswers } from "./answers";

const form: Criterion[] = [
  { key: "accuracy", label: "Accuracy", kind: "rating", required: true, min: 1, max: 5 },
  { key: "safe", label: "Safe?", kind: "boolean", required: true },
  { key: "category", label: "Category", kind: "choice", options: ["bug", "ok"] },
  { key: "notes", label: "Notes", kind: "text", max: 10 },
];

describe("validateAnswers", () => {
  it("asks for every required answer", () => {
    const e = validateAnswers(form, {});
    expect(Object.keys(e).sort()).toEqual(["accuracy", "safe"]);
  });

  it("accepts a complete, well-formed set", () => {
    expect(validateAnswers(form, { accuracy: 4, safe: false, category: "ok", notes: "fine" })).toEqual({});
  });

  it("refuses values of the wrong kind or out of range", () => {
    const e = validateAnswers(form, { accuracy: 6, safe: "yes", category: "other", notes: "far too long for it" });
    expect(e.accuracy).toMatch(/between 1 and 5/);
    expect(e.safe).toBeDefined();
    expect(e.category).toBeDefined();
    expect(e.notes).toMatch(/under 10/);
    expect(validateAnswers(form, { accuracy: 2.5, safe: true }).accuracy).toMatch(/whole number/);
  });

  it("treats whitespace-only text as unanswered", () => {
    const required: Criterion[] = [{ key: "why", label: "Why", kind: "text", required: true }];
    expect(validateAnswers(required, { why: "   " }).why).toBeDefined();
  });
});

describe("cleanAnswers", () => {
  it("sends only the form's keys, leaves out blank optional answers and trims text", () => {
    expect(cleanAnswers(form, { accuracy: 3, safe: true, notes: "  hi  ", category: "", stray: 1 })).toEqual({ accuracy: 3, safe: true, notes: "hi" });
  });
});

describe("errorsFromDetails", () => {
  it("reads the shapes a 422 may name the offending keys in", () => {
    expect(errorsFromDetails({ keys: ["accuracy", "extra"], problems: { accuracy: "expected 1 to 5", extra: "unknown criterion" } })).toEqual({
      accuracy: "expected 1 to 5",
      extra: "unknown criterion",
    });
    expect(errorsFromDetails({ fields: { accuracy: "Out of range" } })).toEqual({ accuracy: "Out of range" });
    expect(errorsFromDetails({ issues: [{ key: "safe", message: "Expected yes or no" }] })).toEqual({ safe: "Expected yes or no" });
    expect(errorsFromDetails({ issues: [{ path: ["notes"], message: "Too long" }] })).toEqual({ notes: "Too long" });
    expect(errorsFromDetails({ missing: ["accuracy"], unknown: ["extra"] })).toEqual({ accuracy: "Check this answer.", extra: "Check this answer." });
    expect(errorsFromDetails({ accuracy: "Required" })).toEqual({ accuracy: "Required" });
    expect(errorsFromDetails(undefined)).toEqual({});
  });
});

describe("answerRows", () => {
  const form = [
    { key: "accuracy", label: "How accurate is the answer?" },
    { key: "helpful", label: "Would it resolve the issue?" },
    { key: "notes", label: "Notes for the agent team" },
  ];

  it("lists answers with the form's labels in the form's order, whatever the stored order", () => {
    const rows = answerRows({ notes: "Link the tracking number.", helpful: true, accuracy: 4 }, form);
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ["How accurate is the answer?", 4],
      ["Would it resolve the issue?", true],
      ["Notes for the agent team", "Link the tracking number."],
    ]);
  });

  it("leaves out unanswered questions and puts keys the form no longer has last", () => {
    expect(answerRows({ old_score: 2, accuracy: 3 }, form).map((r) => r.label)).toEqual(["How accurate is the answer?", "Old score"]);
    expect(answerRows({ accuracy: 3 }).map((r) => r.label)).toEqual(["Accuracy"]);
  });
});
