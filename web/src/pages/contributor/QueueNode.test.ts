import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { QueueItem } from "$lib/api/types";
import QueueNode from "./QueueNode.svelte";

const item = (over: Partial<QueueItem> = {}): QueueItem => ({
  nodeId: "n1",
  pipelineId: "p1",
  name: "Evaluate answer",
  kind: "task",
  available: 3,
  myClaims: [],
  canClaim: true,
  ...over,
});

afterEach(cleanup);

describe("QueueNode", () => {
  it("offers Claim next when something is available to me", async () => {
    let claimed = 0;
    render(QueueNode, { projectId: "p9", item: item(), busy: false, error: null, onclaim: () => claimed++ });
    expect(screen.getByTestId("available").textContent).toBe("3");
    await fireEvent.click(screen.getByRole("button", { name: "Claim next" }));
    expect(claimed).toBe(1);
  });

  it("says why claiming is not possible before I try, with when the schedule opens", () => {
    const opens = new Date(Date.now() + 3 * 3600_000).toISOString();
    render(QueueNode, { projectId: "p9", item: item({ canClaim: false, reason: "outside_schedule", opensAt: opens }), busy: false, error: null, onclaim: () => {} });
    const button = screen.getByRole("button", { name: "Claim next" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(screen.getByText(/Outside your work schedule\. Opens /)).toBeTruthy();
  });

  it("names the limit when I hold as many claims as my type allows, and lists them with time left", () => {
    const expiresAt = new Date(Date.now() + 5 * 60_000).toISOString();
    render(QueueNode, {
      projectId: "p9",
      item: item({ canClaim: false, reason: "claim_limit_reached", myClaims: [{ id: "c1", taskId: "t1234567890", token: "tok", expiresAt }] }),
      busy: false,
      error: null,
      onclaim: () => {},
    });
    expect(screen.getByText(/as many claims as your type allows/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Continue" }).getAttribute("href")).toBe("/work/claims/c1?project=p9");
    expect(screen.getByText(/^[45]:\d\d$/)).toBeTruthy();
  });

  it("says what was returned or assigned to me, and links to the node's tasks", () => {
    render(QueueNode, { projectId: "p9", item: item({ reservedForMe: { rework: 1, assigned: 2 } }), busy: false, error: null, onclaim: () => {} });
    expect(screen.getByTestId("returned").textContent).toBe("1 returned to you");
    expect(screen.getByTestId("assigned").textContent).toBe("2 assigned to you");
    const browse = screen.getByRole("link", { name: "Browse tasks at Evaluate answer" });
    expect(browse.getAttribute("href")).toBe("/projects/p9/queue/n1");
    expect(browse.textContent).toBe("Browse");
  });

  it("says nothing of reserved work when none is mine, and offers no Browse when nothing waits", () => {
    render(QueueNode, { projectId: "p9", item: item({ available: 0, reservedForMe: { rework: 0, assigned: 0 } }), busy: false, error: null, onclaim: () => {} });
    expect(screen.queryByTestId("returned")).toBeNull();
    expect(screen.queryByTestId("assigned")).toBeNull();
    expect(screen.queryByRole("link", { name: /Browse/ })).toBeNull();
  });

  it("shows nothing to claim as a reason, not an error", () => {
    render(QueueNode, { projectId: "p9", item: item({ available: 0 }), busy: false, error: null, onclaim: () => {} });
    expect((screen.getByRole("button", { name: "Claim next" }) as HTMLButtonElement).disabled).toBe(true);
  });
});
