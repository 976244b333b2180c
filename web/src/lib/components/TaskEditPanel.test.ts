// An Owner's task controls: priority and assignee pickers filled from the team
// and types routes, only what changed sent, cancel and reopen after a confirm,
// the API's refusal shown at the field; nothing at all for a Viewer.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Task } from "$lib/api/types";
import { apiServer, NOT_FOUND } from "$lib/testing/api-server";
import TaskEditPanel from "./TaskEditPanel.svelte";

const task = (over: Partial<Task> = {}): Task => ({
  id: "t1", projectId: "p1", pipelineId: "pl1", nodeId: "n1", status: "queued", priority: 0, payload: {}, createdAt: "2026-12-01T10:00:00Z",
  assignedUserId: null, assignedTypeId: null, assignmentApplies: null, ...over,
});
const members = [
  { userId: "u1", name: "Ann Owner", email: "a@x", role: "owner", contributorType: null, createdAt: "" },
  { userId: "u2", name: "Bob", email: "b@x", role: "contributor", contributorType: { id: "ty1", name: "Evaluators" }, createdAt: "" },
  { userId: "u3", name: "Vic", email: "v@x", role: "viewer", contributorType: null, createdAt: "" },
];
const types = [{ id: "ty1", name: "Evaluators", claimLimit: 3 }];
let patched: unknown[] = [];
let refuse: unknown = null;

apiServer((req, send) => {
  if (req.method === "GET" && req.url?.startsWith("/api/projects/p1/members")) return send(200, { items: members, nextCursor: null });
  if (req.method === "GET" && req.url?.startsWith("/api/projects/p1/contributor-types")) return send(200, { items: types, nextCursor: null });
  if (req.method === "PATCH" && req.url === "/api/tasks/t1") {
    if (refuse) return send(400, refuse);
    const b = JSON.parse(req.body);
    patched.push(b);
    return send(200, task({ priority: b.priority ?? 0, status: b.status ?? "queued" }));
  }
  send(404, NOT_FOUND);
});
beforeEach(() => {
  patched = [];
  refuse = null;
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("TaskEditPanel", () => {
  it("shows nothing to someone who may not write", () => {
    render(TaskEditPanel, { task: task(), projectId: "p1", canWrite: false });
    expect(screen.queryByRole("region", { name: "Manage task" })).toBeNull();
  });

  it("offers the project's contributors and types, and sends only what changed", async () => {
    const changed = vi.fn();
    render(TaskEditPanel, { task: task(), projectId: "p1", canWrite: true, onChanged: changed });
    const pick = screen.getByLabelText("Assigned to") as HTMLSelectElement;
    await screen.findByRole("option", { name: "Bob (Evaluators)" });
    await screen.findByRole("option", { name: "Any Evaluators" });
    expect([...pick.options].map((o) => o.textContent)).toEqual(["Nobody: anyone who may work its node", "Bob (Evaluators)", "Any Evaluators"]);
    const save = screen.getByRole("button", { name: "Save" }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await fireEvent.input(screen.getByLabelText("Priority"), { target: { value: "7" } });
    await fireEvent.change(pick, { target: { value: "u:u2" } });
    await fireEvent.click(save);
    await waitFor(() => expect(changed).toHaveBeenCalled());
    expect(patched).toEqual([{ priority: 7, assignment: { userId: "u2" } }]);
  });

  it("cancels after a confirm, and reopens a cancelled task", async () => {
    const asked = vi.fn((_message: string) => true);
    vi.stubGlobal("confirm", asked);
    render(TaskEditPanel, { task: task({ status: "claimed" }), projectId: "p1", canWrite: true });
    expect(screen.queryByRole("button", { name: "Reopen task" })).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Cancel task" }));
    await waitFor(() => expect(patched).toEqual([{ status: "cancelled" }]));
    expect(asked.mock.calls[0]![0]).toContain("loses their claim");
    cleanup();
    render(TaskEditPanel, { task: task({ status: "cancelled" }), projectId: "p1", canWrite: true });
    expect(screen.queryByRole("button", { name: "Cancel task" })).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Reopen task" }));
    await waitFor(() => expect(patched).toEqual([{ status: "cancelled" }, { status: "queued" }]));
  });

  it("sends nothing when the confirm is declined", async () => {
    vi.stubGlobal("confirm", () => false);
    render(TaskEditPanel, { task: task(), projectId: "p1", canWrite: true });
    await fireEvent.click(screen.getByRole("button", { name: "Cancel task" }));
    expect(patched).toEqual([]);
  });

  it("shows the API's refusal at the assignee field", async () => {
    refuse = { error: { code: "invalid_request", message: "Tasks can be assigned only to a contributor of this project.", details: { issues: [{ in: "body", path: "assignment.userId", message: "Not a contributor of this project" }] } } };
    render(TaskEditPanel, { task: task(), projectId: "p1", canWrite: true });
    await screen.findByRole("option", { name: "Bob (Evaluators)" });
    await fireEvent.change(screen.getByLabelText("Assigned to"), { target: { value: "u:u2" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Not a contributor of this project")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("only to a contributor");
  });

  it("is not shown for a completed task", () => {
    render(TaskEditPanel, { task: task({ status: "completed" }), projectId: "p1", canWrite: true });
    expect(screen.queryByRole("region", { name: "Manage task" })).toBeNull();
  });
});
