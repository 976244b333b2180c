import { z } from "zod";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { notFound } from "../../http/errors";
import { afterCursor, keysetOrder, keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import { loadProject } from "../load";
import { refFields } from "./refs";
import { createAgent, updateAgent } from "./service";
import { agentInclude, agentSchema, agentStatus, agentView, versionsFor } from "./view";

// The model, prompt and MCP servers are references to the org's settings
// (refs.ts); the rest of the configuration (temperature, tool options…) is the
// agent's own business, kept as given, bounded in size. Secrets belong in org
// settings, not here.
const config = z
  .record(z.string(), z.unknown())
  .refine((c) => JSON.stringify(c).length <= 64_000, { message: "The config is larger than 64 kB" });
const fields = { name: z.string().trim().min(1).max(200), description: z.string().max(5000) };
const createBody = z.strictObject({
  name: fields.name,
  description: fields.description.default(""),
  config: config.default({}),
  status: agentStatus.default("active"),
  modelId: refFields.modelId.optional(),
  promptId: refFields.promptId.optional(),
  promptVersion: refFields.promptVersion.optional(),
  mcpServerIds: refFields.mcpServerIds.optional(),
});
const patchBody = z.strictObject({
  name: fields.name.optional(),
  description: fields.description.optional(),
  config: config.optional(),
  status: agentStatus.optional(),
  modelId: refFields.modelId.optional(),
  promptId: refFields.promptId.optional(),
  promptVersion: refFields.promptVersion.optional(),
  mcpServerIds: refFields.mcpServerIds.optional(),
});
const projectParams = z.strictObject({ projectId: id });
const agentParams = z.strictObject({ projectId: id, agentId: id });
const tag = "agents and runs";

async function loadAgent(deps: Deps, actor: Actor, projectId: string, agentId: string, action: "project.inspect" | "project.write") {
  const project = await loadProject(deps, actor, projectId, action);
  const agent = await deps.db.agent.findFirst({ where: { id: agentId, projectId }, include: agentInclude });
  if (!agent) throw notFound("agent");
  return { project, agent };
}

export function registerAgentRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/agents",
    tag,
    summary: "List the project's agents under test with their run counts",
    params: projectParams,
    query: listQuery.extend({ status: agentStatus.optional() }),
    response: page(agentSchema),
    async handler({ actor, params, query, deps }) {
      await loadProject(deps, actor, params.projectId, "project.inspect");
      const rows = await deps.db.agent.findMany({
        where: { projectId: params.projectId, ...(query.status ? { status: query.status } : {}), ...afterCursor("createdAt", "asc", query.cursor) },
        orderBy: keysetOrder("createdAt", "asc"),
        take: query.limit + 1,
        include: { ...agentInclude, _count: { select: { runs: true } } },
      });
      const p = keysetPage(rows, query.limit, "createdAt");
      const versions = await versionsFor(deps.db, p.items);
      return { items: p.items.map((a) => agentView(a, versions, a._count.runs)), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "post",
    path: "/api/projects/:projectId/agents",
    tag,
    summary:
      "Configure a new agent under test (Owners and Org Admins): `modelId`, `promptId` (and a pinned `promptVersion`) and `mcpServerIds` name the org's own (else 400)",
    params: projectParams,
    body: createBody,
    status: 201,
    response: agentSchema,
    async handler({ actor, params, body, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.write");
      const a = await createAgent(deps, actor, project, body);
      return agentView(a, await versionsFor(deps.db, [a]));
    },
  });

  api.add({
    method: "get",
    path: "/api/projects/:projectId/agents/:agentId",
    tag,
    summary: "Read an agent",
    params: agentParams,
    response: agentSchema,
    async handler({ actor, params, deps }) {
      const { agent } = await loadAgent(deps, actor, params.projectId, params.agentId, "project.inspect");
      return agentView(agent, await versionsFor(deps.db, [agent]), await deps.db.run.count({ where: { agentId: agent.id } }));
    },
  });

  api.add({
    method: "patch",
    path: "/api/projects/:projectId/agents/:agentId",
    tag,
    summary: "Edit an agent, or activate, pause or archive it (paused and archived agents' runs are refused)",
    params: agentParams,
    body: patchBody,
    response: agentSchema,
    async handler({ actor, params, body, deps }) {
      const { project, agent } = await loadAgent(deps, actor, params.projectId, params.agentId, "project.write");
      const a = await updateAgent(deps, actor, project, agent.id, body);
      return agentView(a, await versionsFor(deps.db, [a]), await deps.db.run.count({ where: { agentId: a.id } }));
    },
  });
}
