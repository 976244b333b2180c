/// <reference types="node" />
// A project's API keys: made with the permissions ticked, shown once, listed with them.
import { createServer, type Server } from "node:http";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api } from "$lib/api/client";
import ProjectApiKeys from "./ProjectApiKeys.svelte";

const base = "/api/projects/p1/api-keys";
const key = (over: Record<string, unknown>) => ({
  id: "k1", name: "Old agent", prefix: "pk_1234abcd", createdById: "u1", createdAt: "2026-12-01T10:00:00Z", lastUsedAt: null, revokedAt: null,
  scope: "project", projectId: "p1", permissions: ["read"], ...over,
});
let keys = [key({})];
const posted: unknown[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method === "GET" && req.url?.startsWith(base)) return res.end(JSON.stringify({ items: keys, nextCursor: null }));
      if (req.method === "POST" && req.url === base) {
        const b = JSON.parse(body);
        posted.push(b);
        const made = key({ id: "k2", name: b.name, prefix: "pk_5678efgh", permissions: b.permissions });
        keys = [made, ...keys];
        res.statusCode = 201;
        return res.end(JSON.stringify({ ...made, key: "pk_5678efgh_the-secret" }));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: "not_found", message: "No route." } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  api.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  api.base = "";
  return new Promise<void>((r) => server.close(() => r()));
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
