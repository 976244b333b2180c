// Agents name the org's Models, Prompts and MCP servers by typed references.
// A project's Owners, Viewers and Org Admins read what a picker needs of them
// through the project (never a key, token or URL); an agent may reference only
// its own org's items (else 400, nothing written); deleting a referenced item in
// the org's settings leaves the agent without it (no dangling id) and the delete's
// audit entry names the agents that used it. An agent's edit racing the delete
// of an item it uses or names: whichever commits first, the other sees it.
import { describe, expect, it } from "vitest";
import { createWorld } from "../helpers/factories";
import { client, type Client, type Res } from "../helpers/http";
import { holdRow } from "../helpers/locks";
import { raceApp } from "../helpers/races";

const t = raceApp();

const API_KEY = "sk-live-SECRETmodelkey9876";
const TOKEN = "mcp-SECRETtoken5432";

async function library(admin: Client, orgId: string, tag = "") {
  const ok = (r: Res) => {
    expect(r.status, r.text).toBe(201);
    return r.body;
  };
  const model = ok(await admin.post(`/api/orgs/${orgId}/models`, { name: `GPT${tag}`, provider: "openai", modelId: "gpt-4o", baseUrl: "https://llm.internal.test/v1", apiKey: API_KEY }));
  const local = ok(await admin.post(`/api/orgs/${orgId}/models`, { name: `Local${tag}`, provider: "ollama", modelId: "llama3" }));
  const prompt = ok(await admin.post(`/api/orgs/${orgId}/prompts`, { name: `System${tag}`, text: "Be brief." }));
  expect((await admin.patch(`/api/orgs/${orgId}/prompts/${prompt.id}`, { text: "Be brief and kind." })).body.version).toBe(2);
  const mcp = ok(
    await admin.post(`/api/orgs/${orgId}/mcp-servers`, {
      name: `Search${tag}`,
      url: "https://mcp.internal.test/sse",
      transport: "sse",
      authToken: TOKEN,
      tools: [{ name: "search", description: "Find things" }, { name: "fetch" }],
    }),
  );
  const files = ok(await admin.post(`/api/orgs/${orgId}/mcp-servers`, { name: `Files${tag}`, url: "https://files.internal.test", transport: "http" }));
  return { model, local, prompt, mcp, files };
}

async function world() {
  const w = await createWorld(t.deps);
  const mine = await library(client(t.url, w.admin.token), w.org.id);
  const theirs = await library(client(t.url, w.other.admin.token), w.other.org.id, " (theirs)");
  return { w, mine, theirs, owner: client(t.url, w.owner.token), agents: `/api/projects/${w.project.id}/agents` };
}

const noSecrets = (r: Res) => {
  for (const s of [API_KEY, TOKEN, "9876", "5432", "****", "internal.test", "apiKey", "authToken", "baseUrl", "url"]) expect(r.text).not.toContain(s);
};

describe("the org's models, prompts and MCP servers read through a project", () => {
  it("gives Owners, Viewers and Org Admins what a picker needs, of their org only, with no secret", async () => {
    const { w, mine } = await world();
    for (const who of [w.owner, w.viewer, w.admin]) {
      const c = client(t.url, who.token);
      const models = await c.get(`/api/projects/${w.project.id}/models`);
      expect(models.status, models.text).toBe(200);
      expect(models.body).toEqual({
        items: [
          { id: mine.model.id, name: "GPT", provider: "openai", modelId: "gpt-4o" },
          { id: mine.local.id, name: "Local", provider: "ollama", modelId: "llama3" },
        ],
        nextCursor: null,
      });
      noSecrets(models);
      const prompts = await c.get(`/api/projects/${w.project.id}/prompts`);
      expect(prompts.body).toEqual({ items: [{ id: mine.prompt.id, name: "System", version: 2 }], nextCursor: null });
      const mcp = await c.get(`/api/projects/${w.project.id}/mcp-servers`);
      expect(mcp.body).toEqual({
        items: [
          { id: mine.mcp.id, name: "Search", tools: ["search", "fetch"] },
          { id: mine.files.id, name: "Files", tools: [] },
        ],
        nextCursor: null,
      });
      noSecrets(mcp);
    }
  });

  it("refuses Contributors and plain members (403) and another org's people (404), and pages by keyset", async () => {
    const { w, owner } = await world();
    for (const item of ["models", "prompts", "mcp-servers"]) {
      const path = `/api/projects/${w.project.id}/${item}`;
      expect((await client(t.url, w.contributor.token).get(path)).status).toBe(403);
      expect((await client(t.url, w.member.token).get(path)).status).toBe(403);
      const outsider = await client(t.url, w.other.admin.token).get(path);
      expect([outsider.status, outsider.body.error.code]).toEqual([404, "not_found"]);
    }
    const first = await owner.get(`/api/projects/${w.project.id}/models?limit=1`);
    const second = await owner.get(`/api/projects/${w.project.id}/models?limit=1&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((m: { name: string }) => m.name)).toEqual(["GPT", "Local"]);
    expect(second.body.nextCursor).toBeNull();
  });
});

describe("an agent's references", () => {
  it("are set on create and edit and come back with their names", async () => {
    const { w, mine, owner, agents } = await world();
    const made = await owner.post(agents, {
      name: "Bot",
      config: { temperature: 0.2 },
      modelId: mine.model.id,
      promptId: mine.prompt.id,
      promptVersion: 1,
      mcpServerIds: [mine.files.id, mine.mcp.id],
    });
    expect(made.status, made.text).toBe(201);
    expect(made.body).toMatchObject({
      config: { temperature: 0.2 },
      model: { id: mine.model.id, name: "GPT", provider: "openai", modelId: "gpt-4o" },
      prompt: { id: mine.prompt.id, name: "System", version: 1, currentVersion: 2 },
      mcpServers: [
        { id: mine.files.id, name: "Files", tools: [] },
        { id: mine.mcp.id, name: "Search", tools: ["search", "fetch"] },
      ],
    });
    noSecrets(made);
    const one = `${agents}/${made.body.id}`;
    const read = await client(t.url, w.viewer.token).get(one);
    expect(read.body).toEqual({ ...made.body });
    expect((await owner.get(agents)).body.items[0]).toEqual(made.body);

    // Another prompt without a version: it follows that prompt's current one.
    const other = (await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/prompts`, { name: "Other", text: "Hi" })).body;
    const edited = await owner.patch(one, { modelId: null, promptId: other.id, mcpServerIds: [mine.mcp.id] });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ model: null, prompt: { id: other.id, name: "Other", version: null, currentVersion: 1 }, mcpServers: [{ id: mine.mcp.id }] });
    // A patch that names no reference keeps them.
    expect((await owner.patch(one, { description: "d" })).body).toMatchObject({ prompt: { id: other.id }, mcpServers: [{ id: mine.mcp.id }] });
    const cleared = await owner.patch(one, { promptId: null, mcpServerIds: [] });
    expect(cleared.body).toMatchObject({ model: null, prompt: null, mcpServers: [] });

    const audit = await t.deps.db.auditEntry.findMany({ where: { resourceId: made.body.id }, orderBy: { createdAt: "asc" } });
    expect(audit[0]!.after).toMatchObject({ modelId: mine.model.id, promptId: mine.prompt.id, promptVersion: 1, mcpServerIds: [mine.files.id, mine.mcp.id] });
    expect(audit[1]!.after).toMatchObject({ modelId: null, promptId: other.id, promptVersion: null, mcpServerIds: [mine.mcp.id] });
  });

  it("refuses another org's (or no such) model, prompt or MCP server with a field issue, writing nothing", async () => {
    const { w, mine, theirs, owner, agents } = await world();
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ modelId: theirs.model.id }, "modelId"],
      [{ modelId: "no-such-model" }, "modelId"],
      [{ promptId: theirs.prompt.id }, "promptId"],
      [{ mcpServerIds: [mine.mcp.id, theirs.mcp.id] }, "mcpServerIds.1"],
      [{ promptId: mine.prompt.id, promptVersion: 3 }, "promptVersion"],
      [{ promptVersion: 1 }, "promptVersion"],
      [{ mcpServerIds: [mine.mcp.id, mine.mcp.id] }, "mcpServerIds"],
    ];
    for (const [refs, path] of bad) {
      const r = await owner.post(agents, { name: "Bot", modelId: mine.model.id, ...refs });
      expect([r.status, r.body.error.code], JSON.stringify(refs)).toEqual([400, "invalid_request"]);
      expect(r.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([path]);
    }
    expect(await t.deps.db.agent.count({ where: { projectId: w.project.id } })).toBe(0);

    const made = await owner.post(agents, { name: "Bot", modelId: mine.model.id, mcpServerIds: [mine.mcp.id] });
    const one = `${agents}/${made.body.id}`;
    for (const [refs, path] of bad) {
      const r = await owner.patch(one, { name: "Renamed", ...refs });
      expect([r.status, r.body.error.details.issues.map((i: { path: string }) => i.path)], JSON.stringify(refs)).toEqual([400, [path]]);
    }
    const after = await owner.get(one);
    expect(after.body).toEqual(made.body);
    expect(await t.deps.db.auditEntry.count({ where: { resourceId: made.body.id } })).toBe(1);
    // Not even an Org Admin of the other org can point this agent there.
    expect((await client(t.url, w.other.admin.token).patch(one, { modelId: theirs.model.id })).status).toBe(404);
  });

  it("loses a model, prompt or MCP server deleted in the org's settings; the delete's audit entry names the agent", async () => {
    const { w, mine, owner, agents } = await world();
    const admin = client(t.url, w.admin.token);
    const made = await owner.post(agents, { name: "Bot", modelId: mine.model.id, promptId: mine.prompt.id, promptVersion: 2, mcpServerIds: [mine.mcp.id, mine.files.id] });
    const unused = await owner.post(agents, { name: "Unused", modelId: mine.local.id });
    const one = `${agents}/${made.body.id}`;

    expect((await admin.delete(`/api/orgs/${w.org.id}/models/${mine.model.id}`)).status).toBe(204);
    expect((await owner.get(one)).body).toMatchObject({ model: null, prompt: { id: mine.prompt.id }, mcpServers: [{ id: mine.mcp.id }, { id: mine.files.id }] });
    expect((await owner.get(`${agents}/${unused.body.id}`)).body.model).toMatchObject({ id: mine.local.id });
    const entry = await t.deps.db.auditEntry.findFirstOrThrow({ where: { action: "model.delete", resourceId: mine.model.id } });
    expect(entry.before).toMatchObject({ name: "GPT", agents: [{ id: made.body.id, name: "Bot", projectId: w.project.id }] });

    expect((await admin.delete(`/api/orgs/${w.org.id}/prompts/${mine.prompt.id}`)).status).toBe(204);
    expect((await admin.delete(`/api/orgs/${w.org.id}/mcp-servers/${mine.mcp.id}`)).status).toBe(204);
    expect((await owner.get(one)).body).toMatchObject({ model: null, prompt: null, mcpServers: [{ id: mine.files.id }] });
    const row = await t.deps.db.agent.findUniqueOrThrow({ where: { id: made.body.id } });
    expect([row.modelId, row.promptId, row.promptVersion]).toEqual([null, null, null]);
    const mcpEntry = await t.deps.db.auditEntry.findFirstOrThrow({ where: { action: "mcp_server.delete", resourceId: mine.mcp.id } });
    expect(mcpEntry.before).toMatchObject({ agents: [{ id: made.body.id }] });
    // The agent kept its other MCP server; deleting that one names it too.
    await admin.delete(`/api/orgs/${w.org.id}/mcp-servers/${mine.files.id}`);
    const filesEntry = await t.deps.db.auditEntry.findFirstOrThrow({ where: { action: "mcp_server.delete", resourceId: mine.files.id } });
    expect(filesEntry.before).toMatchObject({ agents: [{ id: made.body.id }] });
    expect((await owner.get(one)).body.mcpServers).toEqual([]);
    // An item no agent uses: nothing to name.
    const spare = await admin.post(`/api/orgs/${w.org.id}/prompts`, { name: "Spare", text: "x" });
    await admin.delete(`/api/orgs/${w.org.id}/prompts/${spare.body.id}`);
    const spareEntry = await t.deps.db.auditEntry.findFirstOrThrow({ where: { action: "prompt.delete", resourceId: spare.body.id } });
    expect(spareEntry.before).toMatchObject({ name: "Spare", agents: [] });
  });

  it("a delete racing an agent's write: the agent is refused (400) or made and then loses the model, never a 500", async () => {
    const { w, owner, agents } = await world();
    const admin = client(t.url, w.admin.token);
    for (let i = 0; i < 8; i++) {
      const m = (await admin.post(`/api/orgs/${w.org.id}/models`, { name: `Race ${i}`, provider: "p", modelId: "m" })).body;
      const [made, gone] = await Promise.all([owner.post(agents, { name: `Racer ${i}`, modelId: m.id }), admin.delete(`/api/orgs/${w.org.id}/models/${m.id}`)]);
      expect(gone.status).toBe(204);
      expect([201, 400], made.text).toContain(made.status);
      const entry = await t.deps.db.auditEntry.findFirstOrThrow({ where: { action: "model.delete", resourceId: m.id } });
      if (made.status === 201) {
        expect((await owner.get(`${agents}/${made.body.id}`)).body.model).toBeNull();
        expect(entry.before).toMatchObject({ agents: [{ id: made.body.id }] });
      } else {
        expect(made.body.error.details.issues[0].path).toBe("modelId");
        expect(entry.before).toMatchObject({ agents: [] });
      }
    }
    expect(await t.deps.db.agent.count({ where: { projectId: w.project.id, modelId: { not: null } } })).toBe(0);
  });

  it("documents the references and the picker routes in the API document", async () => {
    const doc = (await client(t.url).get("/api/openapi.json")).body;
    for (const item of ["models", "prompts", "mcp-servers"]) expect(doc.paths[`/api/projects/{projectId}/${item}`]?.get).toBeDefined();
    const create = JSON.stringify(doc.paths["/api/projects/{projectId}/agents"].post.requestBody);
    for (const field of ["modelId", "promptId", "promptVersion", "mcpServerIds"]) expect(create).toContain(`"${field}"`);
    const answer = JSON.stringify(doc.paths["/api/projects/{projectId}/agents/{agentId}"].get.responses);
    for (const field of ["model", "prompt", "mcpServers", "currentVersion"]) expect(answer).toContain(`"${field}"`);
  });
});

describe("an agent's edit racing the delete of a model, prompt or MCP server it uses", () => {
  type Library = Awaited<ReturnType<typeof library>>;
  // The body the agent form sends on a save names the reference again (or pins the prompt's version).
  const cases: Array<{ item: string; table: string; route: string; of: (m: Library) => string; edit: (m: Library) => object; refused: string }> = [
    { item: "model", table: "LlmModel", route: "models", of: (m) => m.model.id, edit: (m) => ({ modelId: m.model.id }), refused: "modelId" },
    { item: "prompt", table: "Prompt", route: "prompts", of: (m) => m.prompt.id, edit: () => ({ promptVersion: 1 }), refused: "promptVersion" },
    { item: "mcp_server", table: "McpServer", route: "mcp-servers", of: (m) => m.mcp.id, edit: (m) => ({ mcpServerIds: [m.mcp.id] }), refused: "mcpServerIds.0" },
  ];

  /** An agent using the model, the prompt (its current version) and the Search MCP server. */
  async function using() {
    const s = await world();
    const made = await s.owner.post(s.agents, { name: "Bot", modelId: s.mine.model.id, promptId: s.mine.prompt.id, mcpServerIds: [s.mine.mcp.id] });
    expect(made.status, made.text).toBe(201);
    return { ...s, admin: client(t.url, s.w.admin.token), one: `${s.agents}/${made.body.id}`, agentId: made.body.id as string };
  }

  /** What the agent keeps of the item: none once it is deleted. */
  const keeps = async (agentId: string) => {
    const a = await t.deps.db.agent.findUniqueOrThrow({ where: { id: agentId }, include: { mcpServers: true } });
    return { name: a.name, refs: [a.modelId, a.promptId, a.promptVersion, a.mcpServers.length] };
  };
  const listed = async (item: string, id: string) =>
    ((await t.deps.db.auditEntry.findFirstOrThrow({ where: { action: `${item}.delete`, resourceId: id } })).before as { agents: Array<{ id: string }> }).agents.map((a) => a.id);

  for (const c of cases) {
    it(`${c.item}: the delete first, the edit waits for it and is refused (400), never a 500`, async () => {
      const { w, mine, owner, admin, one, agentId } = await using();
      const id = c.of(mine);
      // Holds the item's row: the delete queues on it first, then the edit.
      const lock = await holdRow(c.table, id);
      let del: Promise<Res>, edit: Promise<Res>;
      try {
        del = admin.delete(`/api/orgs/${w.org.id}/${c.route}/${id}`);
        await t.until(lock.pid, 1);
        edit = owner.patch(one, { name: "Renamed", ...c.edit(mine) });
        await t.until(lock.pid, 2, edit);
      } finally {
        await lock.release();
      }
      const [d, e] = await Promise.all([del!, edit!]);
      expect(d.status, d.text).toBe(204);
      expect([e.status, e.body.error?.details?.issues?.map((i: { path: string }) => i.path)], e.text).toEqual([400, [c.refused]]);
      const after = await keeps(agentId);
      expect(after.name).toBe("Bot");
      expect(after.refs.filter((r) => r !== null && r !== 0)).toHaveLength(2);
      expect(await listed(c.item, id)).toEqual([agentId]);
      expect(await t.deps.db.auditEntry.count({ where: { resourceId: agentId } })).toBe(1);
    });

    it(`${c.item}: the edit first, the delete waits for it and then takes the item from the agent, never a 500`, async () => {
      const { w, mine, owner, admin, one, agentId } = await using();
      const id = c.of(mine);
      // Holds the agent's row: the edit queues on it holding what it uses and names, then the delete queues behind the edit.
      const lock = await holdRow("Agent", agentId);
      let del: Promise<Res>, edit: Promise<Res>;
      try {
        edit = owner.patch(one, { name: "Renamed", ...c.edit(mine) });
        await t.until(lock.pid, 1);
        del = admin.delete(`/api/orgs/${w.org.id}/${c.route}/${id}`);
        await t.until(lock.pid, 2, del);
      } finally {
        await lock.release();
      }
      const [e, d] = await Promise.all([edit!, del!]);
      expect([e.status, d.status], e.text + d.text).toEqual([200, 204]);
      const after = await keeps(agentId);
      expect(after.name).toBe("Renamed");
      expect(after.refs.filter((r) => r !== null && r !== 0)).toHaveLength(2);
      expect(await listed(c.item, id)).toEqual([agentId]);
    });
  }

  it("an edit moving the agent off a model while it is deleted commits first, and the delete does not list it", async () => {
    const { w, mine, owner, admin, one, agentId } = await using();
    const lock = await holdRow("Agent", agentId);
    let del: Promise<Res>, edit: Promise<Res>;
    try {
      edit = owner.patch(one, { modelId: mine.local.id });
      await t.until(lock.pid, 1);
      del = admin.delete(`/api/orgs/${w.org.id}/models/${mine.model.id}`);
      await t.until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [e, d] = await Promise.all([edit!, del!]);
    expect([e.status, d.status], e.text + d.text).toEqual([200, 204]);
    expect(e.body.model).toMatchObject({ id: mine.local.id });
    expect((await keeps(agentId)).refs[0]).toBe(mine.local.id);
    expect(await listed("model", mine.model.id)).toEqual([]);
  });
});
