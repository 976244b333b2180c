// Org settings: CRUD of every item, secrets sealed and masked, credential
// uniqueness under concurrency, prompt versions, and who may touch them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { client } from "../helpers/http";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const samples = {
  models: {
    create: { name: "GPT house", provider: "openai", modelId: "gpt-x", baseUrl: "https://llm.example.com/v1", apiKey: "sk-model-secret-1234" },
    patch: { name: "GPT house 2" },
  },
  "mcp-servers": {
    create: { name: "Search", url: "https://mcp.example.com", transport: "sse", authToken: "mcp-token-secret-9876", tools: [{ name: "search" }] },
    patch: { transport: "http" },
  },
  "evaluation-criteria": {
    create: { key: "accuracy", label: "Accuracy", kind: "rating", min: 1, max: 5, required: true },
    patch: { label: "Factual accuracy" },
  },
  prompts: {
    create: { name: "Judge", text: "Rate {{answer}}", variables: ["answer"] },
    patch: { name: "Judge v2" },
  },
  templates: {
    create: {
      name: "Eval then review",
      nodes: [
        { key: "eval", kind: "task", name: "Evaluate", form: { criteria: [{ key: "ok", label: "OK?", kind: "boolean" }] } },
        { key: "review", kind: "review", name: "Review", reviews: "eval" },
        { key: "end", kind: "end", name: "Done" },
      ],
    },
    patch: { description: "Two steps" },
  },
  credentials: {
    create: { type: "huggingface", value: "hf_secretvalue_abcd" },
    patch: { value: "hf_secretvalue_wxyz" },
  },
} as const;

describe("org settings CRUD", () => {
  for (const [item, s] of Object.entries(samples)) {
    it(`${item}: create, list, read, edit, delete, each audited`, async () => {
      const w = await createWorld(t.deps);
      const admin = client(t.url, w.admin.token);
      const base = `/api/orgs/${w.org.id}/${item}`;

      const created = await admin.post(base, s.create);
      expect(created.status, created.text).toBe(201);
      const id = created.body.id as string;

      const list = await admin.get(base);
      expect(list.status).toBe(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
      expect(list.body.nextCursor).toBeNull();

      expect((await admin.get(`${base}/${id}`)).body).toEqual(created.body);

      const patched = await admin.patch(`${base}/${id}`, s.patch);
      expect(patched.status, patched.text).toBe(200);
      for (const [k, v] of Object.entries(s.patch)) if (k !== "value") expect(patched.body[k]).toEqual(v);

      expect((await admin.delete(`${base}/${id}`)).status).toBe(204);
      expect((await admin.get(`${base}/${id}`)).status).toBe(404);

      const audit = await t.deps.db.auditEntry.findMany({ where: { orgId: w.org.id, resourceId: id }, orderBy: { createdAt: "asc" } });
      expect(audit.map((a) => a.action.split(".")[1])).toEqual(["create", item === "credentials" ? "replace" : "update", "delete"]);
      expect(audit.every((a) => a.actorUserId === w.admin.id)).toBe(true);
    });
  }

  it("pages a list with a cursor", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const base = `/api/orgs/${w.org.id}/prompts`;
    for (let i = 0; i < 5; i++) expect((await admin.post(base, { name: `p${i}`, text: "x" })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const r: { body: { items: Array<{ name: string }>; nextCursor: string | null } } = await admin.get(
        `${base}?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...r.body.items.map((p) => p.name));
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    expect((await admin.get(`${base}?cursor=garbage`)).body.error.code).toBe("invalid_request");
  });
});

describe("secrets in settings", () => {
  it("models keep the API key sealed and answer it masked; null removes it", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const m = await admin.post(`/api/orgs/${w.org.id}/models`, samples.models.create);
    expect(m.body.apiKeyMasked).toBe("****1234");
    expect(m.body).not.toHaveProperty("apiKey");
    const row = await t.deps.db.llmModel.findUniqueOrThrow({ where: { id: m.body.id } });
    expect(row.apiKeyEnc).not.toContain("sk-model-secret");
    expect(t.deps.secrets.open(row.apiKeyEnc!)).toBe("sk-model-secret-1234");

    const replaced = await admin.patch(`/api/orgs/${w.org.id}/models/${m.body.id}`, { apiKey: "sk-other-secret-5678" });
    expect(replaced.body.apiKeyMasked).toBe("****5678");
    const removed = await admin.patch(`/api/orgs/${w.org.id}/models/${m.body.id}`, { apiKey: null });
    expect(removed.body.apiKeyMasked).toBeNull();
    expect((await t.deps.db.llmModel.findUniqueOrThrow({ where: { id: m.body.id } })).apiKeyEnc).toBeNull();
  });

  it("a stored key or token is only sent where it was given for: moving it needs it again (400, nothing changed)", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const org = `/api/orgs/${w.org.id}`;
    const m = await admin.post(`${org}/models`, samples.models.create);
    const s = await admin.post(`${org}/mcp-servers`, samples["mcp-servers"].create);
    for (const [path, body, field] of [
      [`${org}/models/${m.body.id}`, { baseUrl: "https://attacker.example.net/v1" }, "apiKey"],
      [`${org}/models/${m.body.id}`, { baseUrl: null }, "apiKey"],
      [`${org}/models/${m.body.id}`, { provider: "anthropic" }, "apiKey"],
      [`${org}/mcp-servers/${s.body.id}`, { url: "https://attacker.example.net/mcp" }, "authToken"],
    ] as const) {
      const r = await admin.patch(path, body);
      expect([r.status, r.body.error.code, r.body.error.details.issues[0].path]).toEqual([400, "invalid_request", field]);
    }
    expect((await admin.get(`${org}/models/${m.body.id}`)).body).toMatchObject({ baseUrl: samples.models.create.baseUrl, provider: "openai" });
    expect((await admin.get(`${org}/mcp-servers/${s.body.id}`)).body.url).toBe(samples["mcp-servers"].create.url);
    // The same URL sent back, other fields, a new key with the new URL, or the key removed: all fine.
    expect((await admin.patch(`${org}/models/${m.body.id}`, { name: "Renamed", baseUrl: samples.models.create.baseUrl })).status).toBe(200);
    const moved = await admin.patch(`${org}/models/${m.body.id}`, { baseUrl: "https://llm2.example.com/v1", apiKey: "sk-new-secret-4321" });
    expect([moved.status, moved.body.apiKeyMasked]).toEqual([200, "****4321"]);
    expect((await admin.patch(`${org}/mcp-servers/${s.body.id}`, { url: "https://mcp2.example.com", authToken: null })).status).toBe(200);
    // With no token stored there is nothing to follow.
    expect((await admin.patch(`${org}/mcp-servers/${s.body.id}`, { url: "https://mcp3.example.com" })).status).toBe(200);
  });

  it("MCP servers answer the auth token masked", async () => {
    const w = await createWorld(t.deps);
    const s = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/mcp-servers`, samples["mcp-servers"].create);
    expect(s.body).toMatchObject({ authTokenMasked: "****9876", tools: [{ name: "search" }] });
    expect(s.body).not.toHaveProperty("authToken");
  });

  it("credentials: masked, replaced explicitly, one per type (409 credential_exists)", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const base = `/api/orgs/${w.org.id}/credentials`;
    const c = await admin.post(base, samples.credentials.create);
    expect(c.body).toMatchObject({ type: "huggingface", masked: "****abcd" });
    expect(JSON.stringify(c.body)).not.toContain("hf_secretvalue");
    const again = await admin.post(base, { type: "huggingface", value: "hf_another_value_0000" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("credential_exists");
    expect(again.body.error.message).toBe("The organization already has a credential of this type: edit it or delete it first.");
    const r = await admin.patch(`${base}/${c.body.id}`, { value: "hf_replaced_value_9999" });
    expect(r.body.masked).toBe("****9999");
    const row = await t.deps.db.credential.findUniqueOrThrow({ where: { id: c.body.id } });
    expect(t.deps.secrets.open(row.valueEnc)).toBe("hf_replaced_value_9999");
    // The type is not editable, and unknown types are refused.
    expect((await admin.patch(`${base}/${c.body.id}`, { type: "huggingface" })).status).toBe(400);
    expect((await admin.post(base, { type: "github", value: "ghp_12345678" })).status).toBe(400);
  });

  it("concurrent creates of one credential type: exactly one wins", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => admin.post(`/api/orgs/${w.org.id}/credentials`, { type: "huggingface", value: `hf_concurrent_${i}_token` })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const losers = answers.filter((a) => a.status !== 201);
    expect(losers).toHaveLength(11);
    expect(losers.every((a) => a.status === 409 && a.body.error.code === "credential_exists")).toBe(true);
    expect(await t.deps.db.credential.count({ where: { orgId: w.org.id } })).toBe(1);
    expect(await t.deps.db.auditEntry.count({ where: { orgId: w.org.id, action: "credential.create" } })).toBe(1);
  });

  it("another org may hold its own credential of the same type", async () => {
    const w = await createWorld(t.deps);
    const mine = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/credentials`, samples.credentials.create);
    const theirs = await client(t.url, w.other.admin.token).post(`/api/orgs/${w.other.org.id}/credentials`, samples.credentials.create);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
  });
});

describe("item rules", () => {
  it("refuses a URL that carries a user name or password (it would be stored and shown in the clear)", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const org = `/api/orgs/${w.org.id}`;
    const inUrl = "https://bob:hunter2-secret@llm.example.com/v1";
    for (const [path, body] of [
      ["models", { ...samples.models.create, baseUrl: inUrl }],
      ["models", { ...samples.models.create, baseUrl: "https://token-only@llm.example.com" }],
      ["mcp-servers", { ...samples["mcp-servers"].create, url: inUrl }],
    ] as const) {
      const r = await admin.post(`${org}/${path}`, body);
      expect([r.status, r.body.error?.code], r.text).toEqual([400, "invalid_request"]);
      expect(r.text).not.toContain("hunter2");
    }
    const m = await admin.post(`${org}/models`, samples.models.create);
    const s = await admin.post(`${org}/mcp-servers`, samples["mcp-servers"].create);
    expect((await admin.patch(`${org}/models/${m.body.id}`, { baseUrl: inUrl })).status).toBe(400);
    expect((await admin.patch(`${org}/mcp-servers/${s.body.id}`, { url: inUrl })).status).toBe(400);
    expect(await t.deps.db.llmModel.count({ where: { orgId: w.org.id } })).toBe(1);
    expect((await admin.get(`${org}/models/${m.body.id}`)).body.baseUrl).toBe(samples.models.create.baseUrl);
    expect((await admin.get(`${org}/mcp-servers/${s.body.id}`)).body.url).toBe(samples["mcp-servers"].create.url);
  });

  it("prompts keep every version of their text", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const p = await admin.post(`/api/orgs/${w.org.id}/prompts`, { name: "Judge", text: "first" });
    expect(p.body.versions.map((v: { text: string }) => v.text)).toEqual(["first"]);
    await admin.patch(`/api/orgs/${w.org.id}/prompts/${p.body.id}`, { text: "second" });
    await admin.patch(`/api/orgs/${w.org.id}/prompts/${p.body.id}`, { name: "Renamed" }); // no new version
    const r = await admin.patch(`/api/orgs/${w.org.id}/prompts/${p.body.id}`, { text: "third" });
    expect(r.body.text).toBe("third");
    expect(r.body.version).toBe(3);
    expect(r.body.versions.map((v: { version: number; text: string }) => [v.version, v.text])).toEqual([
      [1, "first"],
      [2, "second"],
      [3, "third"],
    ]);
  });

  it("criteria: keys are unique per org and each kind carries what it needs", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const base = `/api/orgs/${w.org.id}/evaluation-criteria`;
    expect((await admin.post(base, { key: "safe", label: "Safe?", kind: "boolean" })).status).toBe(201);
    const dup = await admin.post(base, { key: "safe", label: "Again", kind: "boolean" });
    expect([dup.status, dup.body.error.code]).toEqual([409, "key_taken"]);
    expect((await admin.post(base, { key: "score", label: "Score", kind: "rating" })).status).toBe(400);
    expect((await admin.post(base, { key: "score", label: "Score", kind: "rating", min: 5, max: 1 })).status).toBe(400);
    expect((await admin.post(base, { key: "pick", label: "Pick", kind: "choice" })).status).toBe(400);
    const c = await admin.post(base, { key: "pick", label: "Pick", kind: "choice", options: ["a", "b"] });
    expect(c.body.options).toEqual(["a", "b"]);
    // Changing the kind drops what no longer applies.
    const text = await admin.patch(`${base}/${c.body.id}`, { kind: "text" });
    expect(text.body).toMatchObject({ kind: "text", options: null, min: null, max: null });
  });

  it("refuses unknown fields and malformed values", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const bad = await admin.post(`/api/orgs/${w.org.id}/models`, { ...samples.models.create, apiKeyEnc: "x" });
    expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_request"]);
    expect((await admin.post(`/api/orgs/${w.org.id}/models`, { ...samples.models.create, baseUrl: "ftp://x" })).status).toBe(400);
    expect((await admin.post(`/api/orgs/${w.org.id}/mcp-servers`, { ...samples["mcp-servers"].create, transport: "ws" })).status).toBe(400);
  });
});

describe("who may manage settings", () => {
  it("Org Admins only: members and project roles 403, other orgs 404, no token 401", async () => {
    const w = await createWorld(t.deps);
    const created = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/models`, samples.models.create);
    const one = `/api/orgs/${w.org.id}/models/${created.body.id}`;
    for (const u of [w.member, w.owner, w.viewer, w.contributor]) {
      const c = client(t.url, u.token);
      expect((await c.get(`/api/orgs/${w.org.id}/models`)).status).toBe(403);
      expect((await c.get(one)).status).toBe(403);
      expect((await c.post(`/api/orgs/${w.org.id}/credentials`, samples.credentials.create)).status).toBe(403);
      expect((await c.patch(one, { name: "x" })).status).toBe(403);
      expect((await c.delete(one)).status).toBe(403);
    }
    const outsider = client(t.url, w.other.admin.token);
    expect((await outsider.get(`/api/orgs/${w.org.id}/models`)).status).toBe(404);
    expect((await outsider.get(one)).status).toBe(404);
    // Their own org's path with our item id: still not found.
    expect((await outsider.get(`/api/orgs/${w.other.org.id}/models/${created.body.id}`)).status).toBe(404);
    expect((await outsider.delete(`/api/orgs/${w.other.org.id}/models/${created.body.id}`)).status).toBe(404);
    expect((await client(t.url).get(`/api/orgs/${w.org.id}/models`)).status).toBe(401);
    expect(await t.deps.db.llmModel.count({ where: { id: created.body.id } })).toBe(1);
  });
});
