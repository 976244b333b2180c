/// <reference types="node" />
// The Submitted page lists a reviewer's reviews beside their evaluations: a review
// shows the verdict given (a badge) and the comment, an evaluation the outcome of
// its review and its answers; "Show older" continues with the next page. Against
// a real local HTTP server answering as the API does.
import { createServer, type Server } from "node:http";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api } from "$lib/api/client";
import Submissions from "./Submissions.svelte";

const at = (m: number) => new Date(Date.UTC(2026, 0, 5, 10, m)).toISOString();
const base = { projectId: "p1", taskId: "task-0001", createdAt: at(0) };
const firstPage = {
  items: [
    { kind: "review", id: "r2", ...base, nodeId: "n-review", nodeName: "Second look", submissionId: "s9", verdict: "return", comment: "Check the dates.", round: 2, createdAt: at(3) },
    {
      kind: "evaluation",
      id: "s1",
      ...base,
      nodeId: "n-eval",
      nodeName: "Evaluate",
      answers: { helpful: true },
      attempt: 1,
      review: { verdict: "pass", comment: null, round: 1, createdAt: at(2) },
      createdAt: at(1),
    },
  ],
  nextCursor: "older",
};
const secondPage = {
  items: [{ kind: "review", id: "r1", ...base, nodeId: "n-review", nodeName: "Second look", submissionId: "s8", verdict: "pass", comment: null, round: 1 }],
  nextCursor: null,
};

let server: Server;
const asked: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "", "http://x");
    asked.push(url.pathname + url.search);
    const body =
      url.pathname === "/api/me/submissions"
        ? url.searchParams.get("cursor") === "older"
          ? secondPage
          : firstPage
        : url.pathname === "/api/me/submissions/forms"
          ? { items: [{ nodeId: "n-eval", projectId: "p1", name: "Evaluate", criteria: [{ key: "helpful", label: "Helpful?" }] }] }
          : null;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? { error: { code: "not_found", message: "No." } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  api.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  api.base = "";
  return new Promise<void>((r) => server.close(() => r()));
});
afterEach(() => cleanup());

describe("the Submitted page", () => {
  it("shows my reviews with their verdict beside my evaluations, and pages on", async () => {
    const { container } = render(Submissions, { params: {} });
    await screen.findByText("You returned it");
    const [review, evaluation] = [...container.querySelectorAll("li")] as HTMLElement[];
    expect(review!.dataset.kind).toBe("review");
    expect(within(review!).getByText("Second look")).toBeTruthy();
    expect(within(review!).getByText("You returned it").className).toContain("warn");
    expect(review!.textContent).toContain("Your comment: Check the dates.");
    expect(review!.textContent).toContain("round 2");
    expect(review!.querySelector("dl")).toBeNull(); // a review has no answers of mine

    expect(evaluation!.dataset.kind).toBe("evaluation");
    expect(within(evaluation!).getByText("Passed review")).toBeTruthy();
    await within(evaluation!).findByText("Helpful?");
    // Only evaluation nodes have forms to read.
    expect(asked.find((u) => u.startsWith("/api/me/submissions/forms"))).toBe("/api/me/submissions/forms?nodeIds=n-eval");

    await fireEvent.click(screen.getByRole("button", { name: "Show older" }));
    await screen.findByText("You passed it");
    expect([...container.querySelectorAll("li")].map((li) => (li as HTMLElement).dataset.kind)).toEqual(["review", "evaluation", "review"]);
    expect(within(container.querySelectorAll("li")[2] as HTMLElement).getByText("You passed it").className).toContain("ok");
    expect(screen.queryByRole("button", { name: "Show older" })).toBeNull();
    expect(screen.queryByText("Nothing submitted yet.")).toBeNull();
  });
});
