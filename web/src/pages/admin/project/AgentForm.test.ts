/// <reference types="node" />
// The agent form: the org's model, prompt (and its version) and MCP servers are
// picked from the project's lists of them, sent as references, and shown again
// on edit; a refused reference is said at its picker; Viewers only read.
import { createServer, type Server } from "node:http";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api } from "$lib/api/client";
import type { Agent } from "$lib/api/types";
import AgentForm from "./AgentForm.svelte";

const base = "/api/projects/p1";
const models = [
  { id: "m1", name: "GPT", provider: "openai", modelId: "gpt-4o" },
  { id: "m2", name: "Local", provider: "ollama", modelId: "llama3" },
];
const prompts = [{ id: "pr1", name: "System", version: 2 }];
const servers = [
  { id: "s1", name: "Search", tools: ["search", "fetch"] },
  { id: "s2", name: "Files", tools: [] },
];
const sent: Array<{ method: string; url: string; body: unknown }> = [];
let refuse: unknown = null;
let server: Server;

const agent: Agent = {
  id: "a1",
  projectId: "p1",
  name: "Bot",
  description: "",
  config: { temperature: 0.2 },
  status: "active",
  model: models[0]!,
  prompt: { id: "pr1", name: "System", version: 1, currentVersion: 2 },
  mcpServers: [servers[0]!],
  createdAt: "2026-12-01T10:00:00Z",
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      const page = (items: unknown[]) => res.end(JSON.stringify({ items, nextCursor: null }));
      if (req.method === "GET" && req.url?.startsWith(`${base}/models`)) return page(models);
      if (req.method === "GET" && req.url?.startsWith(`${base}/prompts`)) return page(prompts);
      if (req.method === "GET" && req.url?.startsWith(`${base}/mcp-servers`)) return page(servers);
      if (req.method === "POST" || req.method === "PATCH") {
        sent.push({ method: req.method, url: req.url!, body: JSON.parse(body) });
        if (refuse) {
          res.statusCode = 400;
          return res.end(JSON.stringify(refuse));
        }
        res.statusCode = req.method === "POST" ? 201 : 200;
        return res.end(JSON.stringify(agent));
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
afterEach(() => {
  cleanup();
  sent.length = 0;
  refuse = null;
});

const select = (label: string) => screen.getByLabelText(label) as HTMLSelectElement;
const optionsOf = (s: HTMLSelectElement) => [...s.options].map((o) => o.textContent?.trim());
const box = (name: RegExp) => screen.getByRole("checkbox", { name }) as HTMLInputElement;
/** The three lists are read: every model, prompt and MCP server is offered. */
const loaded = () =>
  waitFor(() => {
    expect(select("Model").options).toHaveLength(3);
    expect(select("Prompt").options).toHaveLength(2);
    expect(screen.getAllByRole("checkbox")).toHaveLength(2);
  });

describe("AgentForm", () => {
  it("picks the org's model, prompt version and MCP servers and sends them as references", async () => {
    let saved: Agent | null = null;
    render(AgentForm, { projectId: "p1", agent: null, canWrite: true, onsaved: (a: Agent) => (saved = a), oncancel: () => {} });
    await loaded();
    expect(optionsOf(select("Model"))).toEqual(["None", "GPT (openai · gpt-4o)", "Local (ollama · llama3)"]);
    expect(optionsOf(select("Prompt"))).toEqual(["None", "System (v2)"]);
    expect(screen.queryByLabelText("Prompt version")).toBeNull();

    await fireEvent.input(screen.getByLabelText("Name"), { target: { value: "Support bot" } });
    await fireEvent.change(select("Model"), { target: { value: "m2" } });
    await fireEvent.change(select("Prompt"), { target: { value: "pr1" } });
    expect(optionsOf(select("Prompt version"))).toEqual(["Current (follows edits)", "v1", "v2"]);
    await fireEvent.change(select("Prompt version"), { target: { value: "1" } });
    // Ticked in this order: the agent's list keeps it.
    await fireEvent.click(box(/Files/));
    await fireEvent.click(box(/Search/));
    expect(screen.getByText("search, fetch")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Save" }));

    await waitFor(() => expect(saved).not.toBeNull());
    expect(sent).toEqual([
      {
        method: "POST",
        url: `${base}/agents`,
        body: { name: "Support bot", description: "", config: {}, modelId: "m2", promptId: "pr1", promptVersion: 1, mcpServerIds: ["s2", "s1"] },
      },
    ]);
  });

  it("starts an edit from the agent's references; None and unticking clear them", async () => {
    render(AgentForm, { projectId: "p1", agent, canWrite: true, onsaved: () => {}, oncancel: () => {} });
    await loaded();
    expect(select("Model").value).toBe("m1");
    expect([select("Prompt").value, select("Prompt version").value]).toEqual(["pr1", "1"]);
    expect([box(/Search/).checked, box(/Files/).checked]).toEqual([true, false]);

    await fireEvent.change(select("Model"), { target: { value: "" } });
    await fireEvent.change(select("Prompt version"), { target: { value: "" } });
    await fireEvent.click(box(/Search/));
    await fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({
      method: "PATCH",
      url: `${base}/agents/a1`,
      body: { name: "Bot", description: "", config: { temperature: 0.2 }, modelId: null, promptId: "pr1", promptVersion: null, mcpServerIds: [] },
    });
  });

  it("says a refused reference at its picker", async () => {
    refuse = {
      error: {
        code: "invalid_request",
        message: "The body is not valid: No such model in this organization.",
        details: { issues: [{ in: "body", path: "modelId", message: "No such model in this organization" }] },
      },
    };
    render(AgentForm, { projectId: "p1", agent, canWrite: true, onsaved: () => {}, oncancel: () => {} });
    await waitFor(() => expect(select("Model").value).toBe("m1"));
    await fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("No such model in this organization");
    expect(select("Model").getAttribute("aria-invalid")).toBe("true");
  });

  it("shows a Viewer the references, read-only", async () => {
    render(AgentForm, { projectId: "p1", agent, canWrite: false, onsaved: () => {}, oncancel: () => {} });
    await loaded();
    expect(select("Model").value).toBe("m1");
    for (const s of [select("Model"), select("Prompt"), select("Prompt version")]) expect(s.disabled).toBe(true);
    expect([box(/Search/).disabled, box(/Files/).disabled]).toEqual([true, true]);
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    expect(screen.getByRole("button", { name: "Close" })).toBeTruthy();
  });
});
