// The org's models, prompts and MCP servers read through a project:
// GET /api/projects/:projectId/models, /prompts and /mcp-servers, for the agent
// form's pickers. Like library.ts, for the project's Owners, Viewers and Org
// Admins, who may not read the org's settings. Only what a picker shows goes out:
// never a key, a token, their masks, or a URL (one may carry a secret in its query).
import { z } from "zod";
import type { LlmModel, McpServer } from "@prisma/client";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { afterCursor, keysetOrder, keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import type { Tx } from "../../infra/prisma";
import { loadProject } from "../load";

export const modelRefSchema = z.object({ id: z.string(), name: z.string(), provider: z.string(), modelId: z.string() });
export const modelRefView = (m: Pick<LlmModel, "id" | "name" | "provider" | "modelId">) => ({ id: m.id, name: m.name, provider: m.provider, modelId: m.modelId });
export const modelRefSelect = { id: true, name: true, provider: true, modelId: true } as const;

/** `version`: the prompt's current version (every earlier one, from 1, can be pinned). */
export const promptRefSchema = z.object({ id: z.string(), name: z.string(), version: z.number() });

export const mcpRefSchema = z.object({ id: z.string(), name: z.string(), tools: z.array(z.string()) });
export const mcpRefView = (s: Pick<McpServer, "id" | "name" | "tools">) => ({
  id: s.id,
  name: s.name,
  tools: (s.tools as Array<{ name: string }>).map((t) => t.name),
});
export const mcpRefSelect = { id: true, name: true, tools: true } as const;

/** Each prompt's current version, counted by PostgreSQL (its versions' texts stay there). */
export async function promptVersions(db: Tx, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db.$queryRaw<Array<{ id: string; n: number }>>`
    SELECT "id", jsonb_array_length("versions")::int AS n FROM "Prompt" WHERE "id" = ANY(${[...new Set(ids)]}::text[])`;
  return new Map(rows.map((r) => [r.id, r.n]));
}

const params = z.strictObject({ projectId: id });
type ListQuery = z.infer<typeof listQuery>;

const oldestFirst = (orgId: string, query: ListQuery) => ({
  where: { orgId, ...afterCursor("createdAt", "asc", query.cursor) },
  orderBy: keysetOrder("createdAt", "asc"),
  take: query.limit + 1,
});

const orgOf = async (deps: Deps, actor: Actor, projectId: string) =>
  (await loadProject(deps, actor, projectId, "project.inspect")).orgId;

const who = "for this project's Owners, Viewers and Org Admins (in the order they were made; no key, token or URL)";

export function registerAgentLibraryRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/models",
    tag: "agents and runs",
    summary: `The organization's models an agent may use, ${who}`,
    params,
    query: listQuery,
    response: page(modelRefSchema),
    async handler({ actor, params, query, deps }) {
      const orgId = await orgOf(deps, actor, params.projectId);
      const rows = await deps.db.llmModel.findMany({ ...oldestFirst(orgId, query), select: { ...modelRefSelect, createdAt: true } });
      const p = keysetPage(rows, query.limit, "createdAt");
      return { items: p.items.map(modelRefView), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "get",
    path: "/api/projects/:projectId/prompts",
    tag: "agents and runs",
    summary: `The organization's prompts an agent may use, with their current version, ${who}`,
    params,
    query: listQuery,
    response: page(promptRefSchema),
    async handler({ actor, params, query, deps }) {
      const orgId = await orgOf(deps, actor, params.projectId);
      const rows = await deps.db.prompt.findMany({ ...oldestFirst(orgId, query), select: { id: true, name: true, createdAt: true } });
      const p = keysetPage(rows, query.limit, "createdAt");
      const versions = await promptVersions(deps.db, p.items.map((r) => r.id));
      return { items: p.items.map((r) => ({ id: r.id, name: r.name, version: versions.get(r.id) ?? 1 })), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "get",
    path: "/api/projects/:projectId/mcp-servers",
    tag: "agents and runs",
    summary: `The organization's MCP servers an agent may use, with their tools' names, ${who}`,
    params,
    query: listQuery,
    response: page(mcpRefSchema),
    async handler({ actor, params, query, deps }) {
      const orgId = await orgOf(deps, actor, params.projectId);
      const rows = await deps.db.mcpServer.findMany({ ...oldestFirst(orgId, query), select: { ...mcpRefSelect, createdAt: true } });
      const p = keysetPage(rows, query.limit, "createdAt");
      return { items: p.items.map(mcpRefView), nextCursor: p.nextCursor };
    },
  });
}
