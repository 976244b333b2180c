// The Browse page of a node: the tasks I could claim, in Claim next's order, each
// with its preview, priority, age and whether it was returned (with the reviewer's
// comment) or assigned to me; Claim takes that very task and opens it; a refused
// claim says why and reads the list again; queue events re-read it, throttled.
// Against a real local HTTP server answering as the API does.
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AvailableTask } from "$lib/api/types";
import { nav } from "$lib/nav.svelte";
import { realtime } from "$lib/socket.svelte";
import { AvailableTasks } from "$lib/stores/available.svelte";
import { apiServer, NOT_FOUND } from "$lib/testing/api-server";
import Available from "./Available.svelte";

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const task = (id: string, over: Partial<AvailableTask> = {}): AvailableTask => ({
  id,
  priority: 0,
  createdAt: ago(90),
  preview: `{"question": "${id}?"}`,
  reservedForMe: null,
  reviewComment: null,
  ...over,
});
let tasks: AvailableTask[] = [];
const reads: string[] = [];
const claims: unknown[] = [];
const node = { nodeId: "n1", pipelineId: "pl", pipelineName: "Evals", pipelineVersion: 1, key: "evaluate", name: "Evaluate", kind: "task", leaseSeconds: 600 };

apiServer((req, send) => {
  const url = new URL(req.url ?? "", "http://x");
  if (url.pathname === "/api/projects/p1/queue") {
    return send(200, {
      contributorType: { id: "ty", name: "Evaluators" },
      claimLimit: 3,
      items: [{ ...node, available: tasks.length, reservedForMe: { rework: 1, assigned: 1 }, myClaims: [], canClaim: true }],
    });
  }
  if (url.pathname === "/api/projects/p1/queue/n1/tasks") {
    reads.push(url.search);
    return send(200, { items: tasks, nextCursor: null });
  }
  if (url.pathname === "/api/projects/p1/claims" && req.method === "POST") {
    const body = JSON.parse(req.body) as { nodeId: string; taskId: string };
    claims.push(body);
    if (body.taskId === "t-taken") {
      tasks = tasks.filter((t) => t.id !== "t-taken");
      return send(409, { error: { code: "task_unavailable", message: "That task is not available." } });
    }
    return send(201, {
      claim: { id: `c-${body.taskId}`, taskId: body.taskId, nodeId: "n1", token: "tok", expiresAt: new Date(Date.now() + 600_000).toISOString() },
      task: { id: body.taskId, pipelineId: "pl", nodeId: "n1", priority: 0, payload: {}, createdAt: ago(90), runId: null, node: { id: "n1", key: "evaluate", name: "Evaluate", kind: "task", form: { criteria: [] }, leaseSeconds: 600, maxLeaseSeconds: 2400 }, reviewed: null, rework: null },
    });
  }
  send(404, NOT_FOUND);
});
beforeEach(() => {
  reads.length = 0;
  claims.length = 0;
  tasks = [
    task("t-rework", { reservedForMe: "rework", reviewComment: "Check the refund policy.", createdAt: ago(300) }),
    task("t-urgent", { priority: 5, preview: `{"long": "${"x".repeat(190)}` }),
    task("t-mine", { reservedForMe: "assigned" }),
    task("t-taken"),
  ];
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** Delivers a socket event to the page's listeners as the live connection would. */
function push(event: string, payload: unknown) {
  const handlers = (realtime as unknown as { handlers: Map<string, Set<(p: unknown) => void>> }).handlers;
  for (const fn of handlers.get(event) ?? []) fn(payload);
}

describe("the Browse page", () => {
  it("lists the tasks in the server's order with what a person needs to choose", async () => {
    render(Available, { params: { projectId: "p1", nodeId: "n1" } });
    expect(await screen.findByRole("heading", { name: "Available at Evaluate" })).toBeTruthy();
    const items = await screen.findAllByRole("listitem");
    expect(items.map((li) => li.getAttribute("data-task"))).toEqual(["t-rework", "t-urgent", "t-mine", "t-taken"]);
    const rework = within(items[0]!);
    expect(rework.getByText("Returned to you")).toBeTruthy();
    expect(rework.getByText("Check the refund policy.")).toBeTruthy();
    expect(rework.getByText("5 h ago")).toBeTruthy();
    expect(within(items[1]!).getByText("Priority 5")).toBeTruthy();
    expect(within(items[1]!).getByText(/^\{"long": "x+…$/)).toBeTruthy(); // cut by the server: said so
    expect(within(items[2]!).getByText("Assigned to you")).toBeTruthy();
    expect(within(items[3]!).queryByText(/to you/)).toBeNull();
    expect(within(items[3]!).getByText('{"question": "t-taken?"}')).toBeTruthy();
  });

  it("claims the very task chosen and opens it", async () => {
    render(Available, { params: { projectId: "p1", nodeId: "n1" } });
    await fireEvent.click(await screen.findByRole("button", { name: "Claim task t-mine" }));
    await vi.waitFor(() => expect(nav.path).toBe("/work/claims/c-t-mine"));
    expect(claims).toEqual([{ nodeId: "n1", taskId: "t-mine" }]);
    expect(nav.query.get("project")).toBe("p1");
  });

  it("says why a claim was refused, and reads the list again", async () => {
    render(Available, { params: { projectId: "p1", nodeId: "n1" } });
    await fireEvent.click(await screen.findByRole("button", { name: "Claim task t-taken" }));
    expect((await screen.findByRole("alert")).textContent).toBe("That task was just taken. Claim the next one.");
    await vi.waitFor(() => expect(screen.queryAllByRole("listitem").map((li) => li.getAttribute("data-task"))).not.toContain("t-taken"));
    expect(reads.length).toBe(2);
  });

  it("says when nothing waits for me", async () => {
    tasks = [];
    render(Available, { params: { projectId: "p1", nodeId: "n1" } });
    expect(await screen.findByText("Nothing waiting for you here right now.")).toBeTruthy();
  });
});

describe("the list kept live", () => {
  it("reads again once per burst of this node's queue events, not per event, and not for other nodes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const list = new AvailableTasks("p1", "n1");
    const stop = list.watch();
    await vi.waitFor(() => expect(list.items).toHaveLength(4));
    expect(reads).toEqual(["?limit=50"]);
    tasks = tasks.slice(1);
    for (let i = 0; i < 5; i++) push("queue:changed", { projectId: "p1", nodeId: "n1", available: 3 - i, claimed: i });
    push("queue:changed", { projectId: "p1", nodeId: "other", available: 1, claimed: 0 });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(reads).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3_100);
    await vi.waitFor(() => expect(list.items).toHaveLength(3));
    expect(reads).toHaveLength(2);
    stop();
    push("queue:changed", { projectId: "p1", nodeId: "n1", available: 0, claimed: 4 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reads).toHaveLength(2);
  });
});
