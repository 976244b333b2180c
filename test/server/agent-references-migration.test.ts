// Migration agent_references: agents configured before the typed references kept
// their model, prompt and MCP servers as ids in `config` (the demo's agent did).
// Ids of the agent's own org move to the columns; anything else stays in config.
import { expect, it } from "vitest";
import { databaseBefore } from "../helpers/migrations";

const NAME = "20261208180000_agent_references";

it("moves the config's ids of the agent's own org to the columns, and keeps the rest", async () => {
  const scratch = await databaseBefore(NAME);
  const { q } = scratch;
  try {
    await q(`INSERT INTO "Organization" (id, name) VALUES ('o1', 'Mine'), ('o2', 'Theirs')`);
    await q(`INSERT INTO "Project" (id, "orgId", name) VALUES ('p1', 'o1', 'P')`);
    await q(`INSERT INTO "LlmModel" (id, "orgId", name, provider, "modelId") VALUES ('m1', 'o1', 'M', 'openai', 'gpt'), ('m2', 'o2', 'Theirs', 'openai', 'gpt')`);
    await q(`INSERT INTO "Prompt" (id, "orgId", name, text) VALUES ('pr1', 'o1', 'P', 't')`);
    await q(`INSERT INTO "McpServer" (id, "orgId", name, url, transport) VALUES ('s1', 'o1', 'S1', 'https://a.test', 'http'), ('s2', 'o1', 'S2', 'https://b.test', 'http'), ('s3', 'o2', 'S3', 'https://c.test', 'http')`);
    const agent = (id: string, config: unknown) => q(`INSERT INTO "Agent" (id, "projectId", name, config) VALUES ($1, 'p1', $1, $2)`, [id, JSON.stringify(config)]);
    await agent("a1", { modelId: "m1", promptId: "pr1", mcpServerIds: ["s2", "s1"], temperature: 0.2 });
    await agent("a2", { modelId: "m2", promptId: "gone", mcpServerIds: ["s1", "s3"] });
    await agent("a3", { modelId: "gpt-4o", mcpServerIds: "s1" });

    expect(await scratch.migrateRest()).toContain(NAME);
    const rows = await q(`SELECT id, "modelId", "promptId", config FROM "Agent" ORDER BY id`);
    expect(rows).toEqual([
      { id: "a1", modelId: "m1", promptId: "pr1", config: { temperature: 0.2 } },
      { id: "a2", modelId: null, promptId: null, config: { modelId: "m2", promptId: "gone", mcpServerIds: ["s1", "s3"] } },
      { id: "a3", modelId: null, promptId: null, config: { modelId: "gpt-4o", mcpServerIds: "s1" } },
    ]);
    expect(await q(`SELECT "agentId", "mcpServerId", position FROM "AgentMcpServer" ORDER BY "agentId", position`)).toEqual([
      { agentId: "a1", mcpServerId: "s2", position: 0 },
      { agentId: "a1", mcpServerId: "s1", position: 1 },
      { agentId: "a2", mcpServerId: "s1", position: 0 },
    ]);
  } finally {
    await scratch.drop();
  }
});
