// The task page's draft is the signed-in user's: another person signed in on the
// same browser never gets it filled in; the user who typed it does. Against a real
// local HTTP server (the page's heartbeats find nothing there: the claim shows as lost,
// its answers still on screen).
import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { loadDraft, saveDraft } from "$lib/forms/drafts";
import { nav } from "$lib/nav.svelte";
import { session } from "$lib/stores/session.svelte";
import { work, workFromClaim } from "$lib/stores/work.svelte";
import { apiServer, NOT_FOUND } from "$lib/testing/api-server";
import { signIn } from "$lib/testing/session";
import Work from "./Work.svelte";

apiServer((_req, send) => send(404, NOT_FOUND));
afterEach(() => {
  cleanup();
  sessionStorage.clear();
  localStorage.clear();
  session.me = null;
});

function openPage(claimId: string) {
  nav.navigate(`/work/claims/${claimId}?project=p1`);
  render(Work, { params: { claimId } });
}

describe("the draft of an open claim", () => {
  function openClaim(claimId: string) {
    const w = workFromClaim("p1", {
      claim: { id: claimId, taskId: "t1", nodeId: "n-eval", token: "tok", expiresAt: new Date(Date.now() + 600_000).toISOString() },
      task: {
        id: "t1", projectId: "p1", pipelineId: "pl", nodeId: "n-eval", status: "claimed", priority: 0, payload: {}, createdAt: new Date().toISOString(),
        node: { id: "n-eval", name: "Evaluate", kind: "task", leaseSeconds: 600, form: { criteria: [{ key: "notes", label: "Notes", kind: "text", required: false }] } },
      },
    });
    work.items[claimId] = w;
    openPage(claimId);
  }

  it("is the signed-in user's: another user's answers for the same task are never filled in", async () => {
    saveDraft(localStorage, "alice", "t1", "n-eval", { notes: "Alice's half-written notes" });
    signIn("bob");
    openClaim("bobs");
    const notes = (await screen.findByLabelText("Notes")) as HTMLTextAreaElement;
    expect(notes.value).toBe("");
    expect(loadDraft(localStorage, "alice", "t1", "n-eval")).toEqual({ notes: "Alice's half-written notes" });
  });

  it("comes back for the user who typed it", async () => {
    saveDraft(localStorage, "alice", "t1", "n-eval", { notes: "Alice's half-written notes" });
    signIn("alice");
    openClaim("alices");
    expect(((await screen.findByLabelText("Notes")) as HTMLTextAreaElement).value).toBe("Alice's half-written notes");
  });
});
