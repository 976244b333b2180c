// A project's API keys: made with the permissions ticked, shown once, listed with them.
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { apiServer, NOT_FOUND } from "$lib/testing/api-server";
import ProjectApiKeys from "./ProjectApiKeys.svelte";

const base = "/api/projects/p1/api-keys";
const key = (over: Record<string, unknown>) => ({
  id: "k1", name: "Old agent", prefix: "pk_1234abcd", createdById: "u1", createdAt: "2026-12-01T10:00:00Z", lastUsedAt: null, revokedAt: null,
  scope: "project", projectId: "p1", permissions: ["read"], ...over,
});
let keys = [key({})];
const posted: unknown[] = [];

apiServer((req, send) => {
  if (req.method === "GET" && req.url?.startsWith(base)) return send(200, { items: keys, nextCursor: null });
  if (req.method === "POST" && req.url === base) {
    const b = JSON.parse(req.body);
    posted.push(b);
    const made = key({ id: "k2", name: b.name, prefix: "pk_5678efgh", permissions: b.permissions });
    keys = [made, ...keys];
    return send(201, { ...made, key: "pk_5678efgh_the-secret" });
  }
  send(404, NOT_FOUND);
});
afterEach(() => cleanup());

describe("ProjectApiKeys", () => {
  it("creates a key with the permissions ticked, shows it once, and lists keys with what they may do", async () => {
    render(ProjectApiKeys, { projectId: "p1" });
    await screen.findByText("Old agent");
    expect(screen.getByRole("row", { name: /Old agent/ }).textContent).toContain("Read");

    await fireEvent.input(screen.getByLabelText("New key's name"), { target: { value: "Support agent" } });
    const sendRuns = screen.getByRole("checkbox", { name: /Send runs/ }) as HTMLInputElement;
    const read = screen.getByRole("checkbox", { name: /Read/ }) as HTMLInputElement;
    expect([sendRuns.checked, read.checked]).toEqual([true, false]);
    // Nothing ticked: nothing to make.
    await fireEvent.click(sendRuns);
    expect((screen.getByRole("button", { name: "Create key" }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(sendRuns);
    await fireEvent.click(screen.getByRole("button", { name: "Create key" }));

    const shown = (await screen.findByLabelText(/API key “Support agent”/)) as HTMLInputElement;
    expect(shown.value).toBe("pk_5678efgh_the-secret");
    expect(posted).toEqual([{ name: "Support agent", permissions: ["runs:write"] }]);
    expect((await screen.findByRole("row", { name: /Support agent/ })).textContent).toContain("Send runs");
    await fireEvent.click(screen.getByRole("button", { name: "I stored it" }));
    expect(document.body.textContent).not.toContain("the-secret");
  });
});
