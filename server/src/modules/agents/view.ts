import { z } from "zod";
import type { Prisma } from "@prisma/client";
import type { Tx } from "../../infra/prisma";
import { mcpRefSchema, mcpRefSelect, mcpRefView, modelRefSchema, modelRefSelect, promptVersions } from "../settings/agent-library";

export const agentStatus = z.enum(["active", "paused", "archived"]);
export type AgentStatus = z.infer<typeof agentStatus>;

export const agentSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  description: z.string(),
  config: z.record(z.string(), z.unknown()),
  status: agentStatus,
  /** The org's model the agent uses (org settings), or null. */
  model: modelRefSchema.nullable(),
  /** The org's prompt: `version` is the one pinned, null when it follows the prompt's current one. */
  prompt: z.object({ id: z.string(), name: z.string(), version: z.number().nullable(), currentVersion: z.number() }).nullable(),
  /** The org's MCP servers the agent uses, in the order given, with their tools' names. */
  mcpServers: z.array(mcpRefSchema),
  runs: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** What every read of an agent takes along: the names of what it references. */
export const agentInclude = {
  model: { select: modelRefSelect },
  prompt: { select: { id: true, name: true } },
  mcpServers: { orderBy: { position: "asc" }, select: { mcpServer: { select: mcpRefSelect } } },
} satisfies Prisma.AgentInclude;
export type AgentRow = Prisma.AgentGetPayload<{ include: typeof agentInclude }>;

/** The prompts' current versions for a page of agents (one query). */
export const versionsFor = (db: Tx, agents: AgentRow[]) => promptVersions(db, agents.flatMap((a) => (a.promptId ? [a.promptId] : [])));

export const agentView = (a: AgentRow, versions: Map<string, number>, runs = 0) => ({
  id: a.id,
  projectId: a.projectId,
  name: a.name,
  description: a.description,
  config: a.config as Record<string, unknown>,
  status: a.status as AgentStatus,
  model: a.model,
  prompt: a.prompt ? { id: a.prompt.id, name: a.prompt.name, version: a.promptVersion, currentVersion: versions.get(a.prompt.id) ?? 1 } : null,
  mcpServers: a.mcpServers.map((x) => mcpRefView(x.mcpServer)),
  runs,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});
