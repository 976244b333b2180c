// The task page opened for a claim that has ended (a lease warning followed after
// the work was submitted, released or expired): it says how the claim ended and
// leads back to the queue, instead of an error. Against a real local HTTP server
// answering as the API does (409 claim_lost with `details.outcome`, 404, 403).
import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { nav } from "$lib/nav.svelte";
import { work, workFromClaim } from "$lib/stores/work.svelte";
import { apiServer, NOT_FOUND } from "$lib/testing/api-server";
import Work from "./Work.svelte";

const answers: Record<string, [number, unknown]> = {
  "/api/claims/done": [409, { error: { code: "claim_lost", message: "This claim is no longer yours.", details: { outcome: "submitted", nodeId: "n-eval" } } }],
  "/api/claims/let-go": [409, { error: { code: "claim_lost", message: "This claim is no longer yours.", details: { outcome: "released", nodeId: "n-eval" } } }],
  "/api/claims/late": [409, { error: { code: "claim_lost", message: "This claim is no longer yours.", details: { outcome: "expired", nodeId: "n-eval" } } }],
  "/api/claims/taken-back": [409, { error: { code: "claim_lost", message: "This claim is no longer yours.", details: { outcome: "revoked", nodeId: "n-eval" } } }],
  "/api/claims/gone": [404, { error: { code: "not_found", message: "claim not found" } }],
  "/api/claims/theirs": [403, { error: { code: "forbidden", message: "Not allowed." } }],
  "/api/claims/broken": [500, { error: { code: "internal", message: "Something broke." } }],
};

apiServer((req, send) => {
  const [status, body] = answers[req.url ?? ""] ?? [404, NOT_FOUND];
  send(status, body);
});
afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

function openPage(claimId: string) {
  nav.navigate(`/work/claims/${claimId}?project=p1`);
  render(Work, { params: { claimId } });
}

describe("the task page of a claim that has ended", () => {
  it.each([
    ["done", "It was submitted."],
    ["let-go", "It was released and the task went back to the queue."],
    ["late", "Its lease ran out and the task went back to the queue"],
    ["taken-back", "An admin took it back and the task went back to the queue."],
  ])("%s: says how it ended, and leads back to the node's queue", async (claimId, why) => {
    openPage(claimId);
    await screen.findByRole("heading", { name: "This claim has ended" });
    expect(screen.getByText(why, { exact: false })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Back to the queue" }).getAttribute("href")).toBe("/projects/p1/queue?node=n-eval");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("a claim no longer there, or not this person's: a plain word and the way back, not an error", async () => {
    openPage("gone");
    await screen.findByRole("heading", { name: "This claim was not found" });
    expect(screen.getByRole("link", { name: "Back to the queue" }).getAttribute("href")).toBe("/projects/p1/queue");
    expect(screen.queryByRole("alert")).toBeNull();
    cleanup();
    openPage("theirs");
    await screen.findByRole("heading", { name: "This claim is not yours to open" });
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("a claim submitted in this tab and opened again: says so rather than show a form that cannot be sent", async () => {
    const w = workFromClaim("p1", {
      claim: { id: "here", taskId: "t1", nodeId: "n-eval", token: "tok", expiresAt: new Date(Date.now() + 600_000).toISOString() },
      task: { id: "t1", projectId: "p1", pipelineId: "pl", nodeId: "n-eval", status: "claimed", priority: 0, payload: {}, createdAt: new Date().toISOString() },
    });
    work.items.here = { ...w, state: "submitted" };
    openPage("here");
    await screen.findByRole("heading", { name: "This claim has ended" });
    expect(screen.getByText("It was submitted.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Submit/ })).toBeNull();
  });

  it("any other failure is still shown as an error", async () => {
    openPage("broken");
    expect((await screen.findByRole("alert")).textContent).toContain("Something broke.");
  });
});
