import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { ContributorType, PipelineNode } from "$lib/api/types";
import PipelineView from "./PipelineView.svelte";

const nodes: PipelineNode[] = [
  {
    id: "a", key: "evaluate", kind: "task", name: "Evaluate the answer", contributorTypeId: "t1", leaseSeconds: 1800,
    form: {
      criteria: [
        { key: "accuracy", label: "How accurate is it?", kind: "rating", required: true, min: 1, max: 5 },
        { key: "notes", label: "Notes", kind: "text", required: false },
      ],
    },
  },
  { id: "b", key: "qa", kind: "review", name: "QA review", leaseSeconds: 600, reviews: "evaluate" },
  { id: "c", key: "done", kind: "end", name: "Done" },
];
const types = [{ id: "t1", name: "Domain Expert" }] as ContributorType[];

afterEach(cleanup);

describe("PipelineView", () => {
  it("shows a pipeline as text, with no field or button that looks writable", () => {
    render(PipelineView, { nodes, types });
    expect(screen.queryAllByRole("textbox")).toHaveLength(0);
    expect(screen.queryAllByRole("combobox")).toHaveLength(0);
    expect(screen.queryAllByRole("checkbox")).toHaveLength(0);
    expect(screen.queryAllByRole("button")).toHaveLength(0);
    expect(screen.getByRole("heading", { name: "Evaluate the answer" })).toBeTruthy();
    expect(screen.getByText("Domain Expert")).toBeTruthy();
    expect(screen.getByText("30 min")).toBeTruthy();
    expect(screen.getByText("How accurate is it?")).toBeTruthy();
    expect(screen.getByText("Required")).toBeTruthy();
    expect(screen.getByText("Optional")).toBeTruthy();
  });

  it("names the node a review checks and says when a node takes any contributor", () => {
    render(PipelineView, { nodes: nodes.map((n) => ({ ...n, contributorTypeId: null })), types });
    const reviews = screen.getByText("Reviews the work of").nextElementSibling;
    expect(reviews?.textContent).toBe("Evaluate the answer");
    expect(screen.getAllByText("Any contributor")).toHaveLength(2);
  });
});
