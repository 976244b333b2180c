import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { FOLD_AT } from "$lib/payload";
import PayloadView from "./PayloadView.svelte";

afterEach(cleanup);

describe("PayloadView", () => {
  it("shows a conversation as turns under its section", () => {
    render(PayloadView, { payload: { input: [{ role: "user", content: "What is 2+2?" }, { role: "assistant", content: "5" }], output: "5" } });
    expect(screen.getByRole("heading", { name: "Agent input" })).toBeTruthy();
    expect(screen.getAllByRole("listitem").map((li) => li.textContent?.replace(/\s+/g, " ").trim())).toEqual(["user What is 2+2?", "assistant 5"]);
  });

  it("folds long text and unfolds it on request", async () => {
    const long = "x".repeat(FOLD_AT + 50);
    render(PayloadView, { payload: { output: long } });
    const more = screen.getByRole("button", { name: /Show all/ });
    expect(document.querySelector("pre")!.textContent!.length).toBe(FOLD_AT + 1);
    await fireEvent.click(more);
    expect(document.querySelector("pre")!.textContent).toBe(long);
    expect(screen.getByRole("button", { name: "Show less" }).getAttribute("aria-expanded")).toBe("true");
  });
});
