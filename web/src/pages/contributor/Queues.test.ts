// The queue page says why a contributor with no contributor type holds only one
// claim at a time (the server's queue answer names the type, or none, and the limit).
// Against a real local HTTP server answering as the API does.
import { cleanup, render, screen } from "@testing-library/svelte";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { session } from "$lib/stores/session.svelte";
import { queue } from "$lib/stores/queue.svelte";
import { apiServer, NOT_FOUND } from "$lib/testing/api-server";
import { signIn } from "$lib/testing/session";
import Queues from "./Queues.svelte";

const node = { nodeId: "n-eval", pipelineId: "pl", pipelineName: "Evals", pipelineVersion: 1, key: "evaluate", name: "Evaluate", kind: "task", leaseSeconds: 600, available: 2 };
const held = { id: "c1", taskId: "t1234567890", token: "tok", expiresAt: new Date(Date.now() + 600_000).toISOString() };
const answers: Record<string, unknown> = {
  "/api/projects/untyped/queue": { contributorType: null, claimLimit: 1, items: [{ ...node, myClaims: [held], canClaim: false, reason: "claim_limit_reached" }] },
  "/api/projects/typed/queue": { contributorType: { id: "ty", name: "Evaluators" }, claimLimit: 3, items: [{ ...node, myClaims: [], canClaim: true }] },
};

apiServer((req, send) => {
  const body = answers[req.url ?? ""];
  send(body ? 200 : 404, body ?? NOT_FOUND);
});
afterAll(() => {
  session.me = null;
});
afterEach(cleanup);

function signedInOn(projects: { id: string; name: string; contributorType: { id: string; name: string } | null }[]) {
  signIn("u1", { projects: projects.map((p) => ({ ...p, orgId: "o1", role: "contributor", status: "active" })) });
}

describe("the queue page", () => {
  it("says a contributor with no type holds one claim at a time, and whom to ask", async () => {
    signedInOn([{ id: "untyped", name: "Support evals", contributorType: null }]);
    render(Queues, { params: {} });
    const notice = await screen.findByText(/You have no contributor type in this project/);
    expect(notice.textContent).toMatch(/you can hold 1 claim at a time\. Ask a project owner to set your type\./);
    // The node's reason says the same, not "as many claims as your type allows".
    expect(screen.getByText(/With no contributor type you can hold 1 claim at a time\. Finish or release it first\./)).toBeTruthy();
    expect(screen.queryByText(/as your type allows/)).toBeNull();
  });

  it("says nothing of it to a contributor with a type", async () => {
    signedInOn([{ id: "typed", name: "Support evals", contributorType: { id: "ty", name: "Evaluators" } }]);
    render(Queues, { params: {} });
    await screen.findByRole("button", { name: "Claim next" });
    await screen.findByText("2");
    expect(queue.of("typed").loading).toBe(false);
    expect(screen.queryByText(/no contributor type/)).toBeNull();
  });
});
