// An evaluation returned to me whose rework waits for me now (reworkWaiting) says
// so on the Submitted page: "Returned to you — open it" links to the node's Browse
// page, and "Claim it" claims that very task (by taskId, as Browse does) and opens
// it; a refused claim says why. An evaluation returned earlier (reworked since, or
// opened to others) only says it was returned. Against a real local HTTP server.
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { nav } from "$lib/nav.svelte";
import { apiServer, NOT_FOUND } from "$lib/testing/api-server";
import Submissions from "./Submissions.svelte";

const at = (m: number) => new Date(Date.UTC(2026, 0, 5, 10, m)).toISOString();
const evaluation = (id: string, taskId: string, reworkWaiting: boolean, m: number) => ({
  kind: "evaluation",
  id,
  projectId: "p1",
  taskId,
  nodeId: "n-eval",
  nodeName: "Evaluate",
  answers: { helpful: true },
  attempt: 1,
  review: { verdict: "return", comment: "Check the dates.", round: 1, createdAt: at(m + 1) },
  reworkWaiting,
  createdAt: at(m),
});
const claims: unknown[] = [];

apiServer((req, send) => {
  const url = new URL(req.url ?? "", "http://x");
  if (url.pathname === "/api/me/submissions") return send(200, { items: [evaluation("s2", "task-waits", true, 5), evaluation("s1", "task-done", false, 1)], nextCursor: null });
  if (url.pathname === "/api/me/submissions/forms") return send(200, { items: [] });
  if (url.pathname === "/api/projects/p1/claims" && req.method === "POST") {
    const body = JSON.parse(req.body) as { nodeId: string; taskId: string };
    claims.push(body);
    if (claims.length > 1) return send(409, { error: { code: "task_unavailable", message: "That task is not available." } });
    return send(201, {
      claim: { id: `c-${body.taskId}`, taskId: body.taskId, nodeId: body.nodeId, token: "tok", expiresAt: new Date(Date.now() + 600_000).toISOString() },
      task: { id: body.taskId, pipelineId: "pl", nodeId: body.nodeId, priority: 0, payload: {}, createdAt: at(0), runId: null, node: { id: body.nodeId, key: "evaluate", name: "Evaluate", kind: "task", form: { criteria: [] }, leaseSeconds: 600, maxLeaseSeconds: 2400 }, reviewed: null, rework: null },
    });
  }
  send(404, NOT_FOUND);
});
beforeEach(() => {
  claims.length = 0;
  nav.navigate("/submissions");
});
afterEach(() => cleanup());

describe("a returned evaluation on the Submitted page", () => {
  it("says when its rework waits for me, links to the node's tasks, and claims that very task", async () => {
    const { container } = render(Submissions, { params: {} });
    await screen.findByText("Returned to you");
    const [waits, done] = [...container.querySelectorAll("li")] as HTMLElement[];
    expect(within(waits!).getByText("Returned to you").className).toContain("warn");
    expect(waits!.textContent).toContain("Returned to you — open it");
    expect(within(waits!).getByRole("link", { name: "open it" }).getAttribute("href")).toBe("/projects/p1/queue/n-eval");
    // The one returned before, reworked since: only the outcome of its review.
    expect(within(done!).getByText("Returned")).toBeTruthy();
    expect(within(done!).queryByRole("link", { name: "open it" })).toBeNull();
    expect(within(done!).queryByRole("button", { name: /Claim it/ })).toBeNull();

    await fireEvent.click(within(waits!).getByRole("button", { name: "Claim it" }));
    await vi.waitFor(() => expect(nav.path).toBe("/work/claims/c-task-waits"));
    expect(claims).toEqual([{ nodeId: "n-eval", taskId: "task-waits" }]);
    expect(nav.query.get("project")).toBe("p1");
  });

  it("says why a claim was refused", async () => {
    claims.push("an earlier claim: this one is refused");
    const { container } = render(Submissions, { params: {} });
    await screen.findByText("Returned to you");
    const waits = container.querySelector("li") as HTMLElement;
    await fireEvent.click(within(waits).getByRole("button", { name: "Claim it" }));
    expect((await within(waits).findByRole("alert")).textContent).toBeTruthy();
    expect(nav.path).toBe("/submissions");
  });
});
