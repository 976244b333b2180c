import { z } from "zod";
import type { Run } from "@prisma/client";

export const runSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  agentId: z.string(),
  pipelineId: z.string(),
  taskId: z.string(),
  input: z.unknown(),
  output: z.unknown(),
  trace: z.unknown().nullable(),
  externalId: z.string().nullable(),
  task: z.object({ status: z.enum(["queued", "claimed", "completed"]), nodeId: z.string(), completedAt: z.string().nullable() }).nullable(),
  createdAt: z.string(),
});

type TaskState = { status: string; nodeId: string; completedAt: Date | null };

export const runView = (r: Run, task: TaskState | null) => ({
  id: r.id,
  projectId: r.projectId,
  agentId: r.agentId,
  pipelineId: r.pipelineId,
  taskId: r.taskId,
  input: r.input,
  output: r.output,
  trace: r.trace ?? null,
  externalId: r.externalId,
  task: task ? { status: task.status as "queued" | "claimed" | "completed", nodeId: task.nodeId, completedAt: task.completedAt?.toISOString() ?? null } : null,
  createdAt: r.createdAt.toISOString(),
});
