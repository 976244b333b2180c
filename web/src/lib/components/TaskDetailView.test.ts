import { cleanup, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { TaskDetail } from "$lib/api/types";
import { currentProject } from "$lib/stores/project.svelte";
import TaskDetailView from "./TaskDetailView.svelte";

const at = "2026-03-01T10:00:00.000Z";
const ann = { id: "u1", name: "Ann" };
const rex = { id: "u2", name: "Rex" };

function detail(over: Partial<TaskDetail> = {}): TaskDetail {
  return {
    id: "task-1",
    projectId: "p1",
    pipelineId: "pl1",
    nodeId: "n-end",
    status: "completed",
    priority: 3,
    payload: { input: "What is 2+2?", output: "4" },
    createdAt: at,
    completedAt: at,
    run: { id: "run-1", agentId: "a1", externalId: "ext-7", createdAt: at },
    history: [
      { type: "created", at, user: null, nodeId: "n-eval", claimId: null, data: null },
      { type: "claimed", at, user: ann, nodeId: "n-eval", claimId: "c1", data: null },
      { type: "submitted", at, user: ann, nodeId: "n-eval", claimId: "c1", data: null },
    ],
    claims: [],
    submissions: [{ id: "s1", nodeId: "n-eval", user: ann, answers: { accuracy: 4, safe: false, extra_note: "fine" }, attempt: 2, createdAt: at }],
    reviews: [{ id: "r1", nodeId: "n-rev", user: rex, verdict: "return", comment: "Check the sum.", round: 1, createdAt: at }],
    ...over,
  };
}

afterEach(() => {
  cleanup();
  currentProject.pipelines = null;
});

describe("TaskDetailView", () => {
  it("shows the payload, each evaluation's answers by criterion, each review's verdict and comment, and the history", () => {
    currentProject.pipelines = [
      {
        id: "pl1",
        projectId: "p1",
        name: "Evals",
        createdAt: at,
        nodes: [
          {
            id: "n-eval",
            key: "evaluate",
            kind: "task",
            name: "Evaluate",
            form: {
              criteria: [
                { key: "accuracy", label: "Accuracy", kind: "rating", min: 1, max: 5 },
                { key: "safe", label: "Safe", kind: "boolean" },
              ],
            },
          },
          { id: "n-rev", key: "review", kind: "review", name: "Review" },
          { id: "n-end", key: "end", kind: "end", name: "Done" },
        ],
      },
    ];
    render(TaskDetailView, { task: detail(), projectId: "p1" });
    expect(screen.getByText("What is 2+2?")).toBeTruthy();
    expect(screen.getByRole("link", { name: "ext-7" }).getAttribute("href")).toBe("/projects/p1/runs?agentId=a1&externalId=ext-7");

    const evaluations = screen.getByRole("region", { name: "Evaluations" });
    const answers = [...evaluations.querySelectorAll(".answers > div")].map((d) => [d.querySelector("dt")!.textContent, d.querySelector("dd")!.textContent]);
    expect(answers).toEqual([
      ["Accuracy", "4"],
      ["Safe", "No"],
      ["Extra note", "fine"],
    ]);
    expect(within(evaluations).getByText(/Evaluate · Ann · .* · attempt 2/)).toBeTruthy();
    expect(within(evaluations).getByText("Returned")).toBeTruthy();
    expect(within(evaluations).getByText("Check the sum.")).toBeTruthy();
    expect(within(evaluations).getByText(/Review · Rex · round 1/)).toBeTruthy();

    const history = screen.getByRole("region", { name: "History" });
    expect(within(history).getAllByRole("listitem")).toHaveLength(3);
    expect(history.textContent).toContain("Evaluate");
    expect(history.textContent).toContain("Ann");
  });

  it("says when nothing was evaluated yet; names nodes it does not know by a short id", () => {
    render(TaskDetailView, { task: detail({ submissions: [], reviews: [], history: [], run: null, nodeId: "n-unknown-node-id" }), projectId: "p1" });
    expect(within(screen.getByRole("region", { name: "Evaluations" })).getByText("None yet.")).toBeTruthy();
    expect(within(screen.getByRole("region", { name: "History" })).getByText("No history recorded.")).toBeTruthy();
    expect(screen.queryByText("From run")).toBeNull();
  });
});
