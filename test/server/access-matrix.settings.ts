// Access-matrix rows for org settings, API keys, the audit log, agents, runs,
// the data explorer and the export (see access-matrix.table.ts for the rules).
import { generateApiKey } from "../../server/src/auth/api-keys";
import type { Deps } from "../../server/src/deps";
import { insertPipeline } from "../../server/src/modules/pipelines/service";
import type { Role, Row, World } from "./access-matrix.table";

const admins: Role[] = ["admin"];
const writers: Role[] = ["admin", "owner"];
const readers: Role[] = ["admin", "owner", "viewer"];
let n = 0;
const unique = () => `${Date.now()}-${++n}`;

const templateNodes = [
  { key: "evaluate", kind: "task" as const, name: "Evaluate", form: { criteria: [{ key: "ok", label: "OK?", kind: "boolean" as const, required: true }] } },
  { key: "end", kind: "end" as const, name: "End" },
];

/** What these rows need in the world: one of each settings item, an agent and a pipeline for its runs. */
export async function settingsExtra(deps: Deps, w: Omit<World, "extra">): Promise<Record<string, string>> {
  const orgId = w.org.id;
  const db = deps.db;
  const k = generateApiKey();
  const [model, mcp, criterion, prompt, template, credential, apiKey, agent] = await Promise.all([
    db.llmModel.create({ data: { orgId, name: "M", provider: "p", modelId: "m" } }),
    db.mcpServer.create({ data: { orgId, name: "S", url: "https://mcp.test", transport: "http" } }),
    db.evaluationCriterion.create({ data: { orgId, key: `k${n++}`, label: "K", kind: "boolean" } }),
    db.prompt.create({ data: { orgId, name: "P", text: "t", versions: [{ version: 1, text: "t", createdAt: new Date().toISOString() }] } }),
    db.pipelineTemplate.create({ data: { orgId, name: "T", nodes: templateNodes } }),
    db.credential.create({ data: { orgId, type: "huggingface", valueEnc: deps.secrets.seal("hf_matrix_token"), last4: "oken" } }),
    db.apiKey.create({ data: { orgId, createdById: w.admin.id, name: "K", prefix: k.prefix, hash: k.hash } }),
    db.agent.create({ data: { projectId: w.project.id, name: "Agent" } }),
  ]);
  const pipeline = await insertPipeline(db, w.project.id, { name: "Runs", nodes: templateNodes });
  const first = await db.pipelineNode.findFirstOrThrow({ where: { pipelineId: pipeline.id }, orderBy: { position: "asc" } });
  const task = await db.task.create({ data: { projectId: w.project.id, pipelineId: pipeline.id, nodeId: first.id, payload: { input: "q", output: "a" } } });
  const run = await db.run.create({ data: { projectId: w.project.id, agentId: agent.id, pipelineId: pipeline.id, taskId: task.id, input: "q", output: "a" } });
  return {
    modelId: model.id,
    mcpServerId: mcp.id,
    criterionId: criterion.id,
    promptId: prompt.id,
    templateId: template.id,
    credentialId: credential.id,
    apiKeyId: apiKey.id,
    agentId: agent.id,
    pipelineId: pipeline.id,
    runId: run.id,
  };
}

const items: Array<{ path: string; idKey: string; create: () => unknown; patch: unknown; createOk?: number }> = [
  { path: "models", idKey: "modelId", create: () => ({ name: "M2", provider: "p", modelId: "m2", apiKey: "sk-matrix-1234" }), patch: { name: "M3" } },
  { path: "mcp-servers", idKey: "mcpServerId", create: () => ({ name: "S2", url: "https://mcp2.test", transport: "sse" }), patch: { name: "S3" } },
  { path: "evaluation-criteria", idKey: "criterionId", create: () => ({ key: `c_${unique().replace(/-/g, "_")}`, label: "C", kind: "text" }), patch: { label: "C2" } },
  { path: "prompts", idKey: "promptId", create: () => ({ name: "P2", text: "hello" }), patch: { text: "hello again" } },
  {
    path: "templates",
    idKey: "templateId",
    create: () => ({ name: "T2", nodes: templateNodes }),
    patch: { description: "d" },
  },
  // The world already holds the org's huggingface credential: the admin gets past
  // the access check and meets the one-per-type rule (409), everyone else is refused first.
  { path: "credentials", idKey: "credentialId", create: () => ({ type: "huggingface", value: "hf_second_token" }), patch: { value: "hf_new_token_1" }, createOk: 409 },
];

export const settingsRows: Row[] = [
  ...items.flatMap((i): Row[] => {
    const base = `/api/orgs/:orgId/${i.path}`;
    const params = (w: World) => ({ id: w.extra[i.idKey]! });
    return [
      { method: "get", path: base, allow: admins, ok: 200 },
      { method: "post", path: base, allow: admins, ok: i.createOk ?? 201, body: i.create },
      { method: "get", path: `${base}/:id`, allow: admins, ok: 200, params },
      { method: "patch", path: `${base}/:id`, allow: admins, ok: 200, params, body: () => i.patch },
      { method: "delete", path: `${base}/:id`, allow: admins, ok: 204, params },
    ];
  }),
  // API keys
  { method: "get", path: "/api/orgs/:orgId/api-keys", allow: admins, ok: 200 },
  { method: "post", path: "/api/orgs/:orgId/api-keys", allow: admins, ok: 201, body: () => ({ name: "ci" }) },
  { method: "get", path: "/api/orgs/:orgId/api-keys/:id", allow: admins, ok: 200, params: (w) => ({ id: w.extra.apiKeyId! }) },
  { method: "patch", path: "/api/orgs/:orgId/api-keys/:id", allow: admins, ok: 200, params: (w) => ({ id: w.extra.apiKeyId! }), body: () => ({ name: "renamed" }) },
  { method: "delete", path: "/api/orgs/:orgId/api-keys/:id", allow: admins, ok: 204, params: (w) => ({ id: w.extra.apiKeyId! }) },
  // a project's API keys: its Owners and the Org Admins (minting and revoking signed in only)
  { method: "get", path: "/api/projects/:projectId/api-keys", allow: writers, ok: 200 },
  { method: "post", path: "/api/projects/:projectId/api-keys", allow: writers, ok: 201, body: () => ({ name: "agent", permissions: ["runs:write"] }) },
  { method: "delete", path: "/api/projects/:projectId/api-keys/:keyId", allow: writers, ok: 204, params: (w) => ({ keyId: w.extra.projectKeyId! }) },
  // audit log
  { method: "get", path: "/api/orgs/:orgId/audit-log", allow: admins, ok: 200 },
  // agents and runs
  { method: "get", path: "/api/projects/:projectId/agents", allow: readers, ok: 200 },
  { method: "post", path: "/api/projects/:projectId/agents", allow: writers, ok: 201, body: () => ({ name: `A ${unique()}` }) },
  { method: "get", path: "/api/projects/:projectId/agents/:agentId", allow: readers, ok: 200, params: (w) => ({ agentId: w.extra.agentId! }) },
  {
    method: "patch",
    path: "/api/projects/:projectId/agents/:agentId",
    allow: writers,
    ok: 200,
    params: (w) => ({ agentId: w.extra.agentId! }),
    body: () => ({ status: "paused" }),
  },
  { method: "get", path: "/api/projects/:projectId/runs", allow: readers, ok: 200 },
  { method: "get", path: "/api/runs/:runId", allow: readers, ok: 200, params: (w) => ({ runId: w.extra.runId! }) },
  {
    method: "post",
    path: "/api/agents/:agentId/runs",
    allow: writers,
    ok: 201,
    params: (w) => ({ agentId: w.extra.agentId! }),
    body: (w) => ({ input: { q: 1 }, output: { a: 2 }, pipelineId: w.extra.pipelineId }),
  },
  // The org's library, read through a project by those who build its forms.
  { method: "get", path: "/api/projects/:projectId/templates", allow: readers, ok: 200 },
  { method: "get", path: "/api/projects/:projectId/evaluation-criteria", allow: readers, ok: 200 },
  // The org's models, prompts and MCP servers, read through a project for its agents' pickers.
  { method: "get", path: "/api/projects/:projectId/models", allow: readers, ok: 200 },
  { method: "get", path: "/api/projects/:projectId/prompts", allow: readers, ok: 200 },
  { method: "get", path: "/api/projects/:projectId/mcp-servers", allow: readers, ok: 200 },
  {
    method: "post",
    path: "/api/projects/:projectId/pipelines/from-template/:templateId",
    allow: writers,
    ok: 201,
    params: (w) => ({ templateId: w.extra.templateId! }),
    body: () => ({}),
  },
  // data
  { method: "get", path: "/api/projects/:projectId/explorer", allow: readers, ok: 200 },
  { method: "get", path: "/api/projects/:projectId/export", allow: readers, ok: 200 },
];
