import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { Criterion } from "$lib/api/types";
import type { Answers } from "$lib/forms/answers";
import FormHarness from "./testing/FormHarness.svelte";

const criteria: Criterion[] = [
  { key: "accuracy", label: "Accuracy", kind: "rating", required: true, min: 1, max: 5, description: "How right is it?" },
  { key: "safe", label: "Is it safe?", kind: "boolean", required: true },
  { key: "category", label: "Category", kind: "choice", options: ["bug", "fine"] },
  { key: "notes", label: "Notes", kind: "text" },
];

function setup(errors = {}) {
  let last: Answers = {};
  render(FormHarness, { criteria, errors, onchange: (a: Answers) => (last = a) });
  return () => last;
}

afterEach(cleanup);

describe("EvaluationForm", () => {
  it("builds one labelled control per criterion, marking the required ones", () => {
    setup();
    expect(screen.getByRole("group", { name: /Accuracy/ })).toBeTruthy();
    expect(screen.getAllByRole("radio", { name: /^[1-5]$/ })).toHaveLength(5);
    expect(screen.getByRole("radio", { name: "Yes" })).toBeTruthy();
    expect(screen.getByRole("radio", { name: "fine" })).toBeTruthy();
    expect(screen.getByLabelText("Notes").tagName).toBe("TEXTAREA");
    expect(screen.getByText("How right is it?")).toBeTruthy();
  });

  it("keeps typed values of the right kind in the bound answers", async () => {
    const answers = setup();
    await fireEvent.click(screen.getByRole("radio", { name: "4" }));
    await fireEvent.click(screen.getByRole("radio", { name: "No" }));
    await fireEvent.click(screen.getByRole("radio", { name: "bug" }));
    await fireEvent.input(screen.getByLabelText("Notes"), { target: { value: "hallucinated a date" } });
    expect(answers()).toEqual({ accuracy: 4, safe: false, category: "bug", notes: "hallucinated a date" });
  });

  it("shows each field's error next to it, announced and linked", () => {
    setup({ accuracy: "Choose a value.", notes: "Too long." });
    const alerts = screen.getAllByRole("alert").map((a) => a.textContent);
    expect(alerts).toEqual(["Choose a value.", "Too long."]);
    const notes = screen.getByLabelText("Notes");
    expect(notes.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(notes.getAttribute("aria-describedby")!)?.textContent).toBe("Too long.");
  });
});
