// What goes out about a run. Lists and the ingest answer carry a summary (sizes
// and a short preview): a run may be megabytes, and a page of 50 must not be.
// GET /api/runs/:runId and the export carry the input, output and trace whole.
import { z } from "zod";
import type { Run } from "@prisma/client";

/** Characters of each part's text in a summary's preview. */
export const PREVIEW_CHARS = 200;

export const runSummarySchema = z.object({
  id: z.string(),
  projectId: z.string(),
  agentId: z.string(),
  pipelineId: z.string(),
  taskId: z.string(),
  externalId: z.string().nullable(),
  task: z.object({ status: z.enum(["queued", "claimed", "completed", "cancelled"]), nodeId: z.string(), completedAt: z.string().nullable() }).nullable(),
  sizes: z
    .object({ input: z.number(), output: z.number(), trace: z.number().nullable() })
    .describe("bytes of each part as JSON text; trace null when the run has none"),
  preview: z
    .object({ input: z.string(), output: z.string() })
    .describe(`the first ${PREVIEW_CHARS} characters of each part as text (a string as itself, anything else as JSON); the whole run at GET /api/runs/{runId}`),
  createdAt: z.string(),
});

export const runSchema = runSummarySchema.extend({
  input: z.unknown(),
  output: z.unknown(),
  trace: z.unknown().nullable(),
});

type TaskState = { status: string; nodeId: string; completedAt: Date | null };
type RunRow = Pick<Run, "id" | "projectId" | "agentId" | "pipelineId" | "taskId" | "externalId" | "createdAt">;
/** Sizes and previews, computed by PostgreSQL (runs/summaries.ts) so the payloads never leave it. */
export type RunFacts = { inputSize: number; outputSize: number; traceSize: number | null; inputPreview: string; outputPreview: string };

export const runSummaryView = (r: RunRow, facts: RunFacts, task: TaskState | null): z.infer<typeof runSummarySchema> => ({
  id: r.id,
  projectId: r.projectId,
  agentId: r.agentId,
  pipelineId: r.pipelineId,
  taskId: r.taskId,
  externalId: r.externalId,
  task: task ? { status: task.status as "queued" | "claimed" | "completed" | "cancelled", nodeId: task.nodeId, completedAt: task.completedAt?.toISOString() ?? null } : null,
  sizes: { input: facts.inputSize, output: facts.outputSize, trace: facts.traceSize },
  preview: { input: facts.inputPreview, output: facts.outputPreview },
  createdAt: r.createdAt.toISOString(),
});

export const runView = (r: Run, facts: RunFacts, task: TaskState | null): z.infer<typeof runSchema> => ({
  ...runSummaryView(r, facts, task),
  input: r.input,
  output: r.output,
  trace: r.trace ?? null,
});
