import { z } from "zod";
import type { Agent } from "@prisma/client";

export const agentStatus = z.enum(["active", "paused", "archived"]);
export type AgentStatus = z.infer<typeof agentStatus>;

export const agentSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  description: z.string(),
  config: z.record(z.string(), z.unknown()),
  status: agentStatus,
  runs: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const agentView = (a: Agent, runs = 0) => ({
  id: a.id,
  projectId: a.projectId,
  name: a.name,
  description: a.description,
  config: a.config as Record<string, unknown>,
  status: a.status as AgentStatus,
  runs,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});
