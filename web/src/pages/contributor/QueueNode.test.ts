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

  it("shows nothing to claim as a reason, not an error", () => {
    render(QueueNode, { projectId: "p9", item: item({ available: 0 }), busy: false, error: null, onclaim: () => {} });
    expect((screen.getByRole("button", { name: "Claim next" }) as HTMLButtonElement).disabled).toBe(true);
  });
});
