import { z } from "zod";
import { PREVIEW_CHARS } from "../data/records";

export const taskSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  pipelineId: z.string(),
  nodeId: z.string(),
  status: z.enum(["queued", "claimed", "completed", "cancelled"]).describe("cancelled: taken out of every queue by an Owner (PATCH); it may be reopened"),
  priority: z.number(),
  payload: z.unknown(),
  assignedUserId: z.string().nullable().describe("the person the task is assigned to, for its whole life (cleared if they leave the project)"),
  assignedTypeId: z.string().nullable().describe("the contributor type the task is assigned to, for its whole life"),
  assignmentApplies: z
    .boolean()
    .nullable()
    .describe(
      "whether the assignment applies at the task's current node (its assignee may work it); where it does not, the node's contributors may take the task. Null without an assignment or once completed",
    ),
  reworkUserId: z.string().nullable(),
  runId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
});

type Row = {
  id: string;
  projectId: string;
  pipelineId: string;
  nodeId: string;
  status: string;
  priority: number;
  payload: unknown;
  assignedUserId: string | null;
  assignedTypeId: string | null;
  /** From withAssignment (assignment.ts). */
  assignmentApplies: boolean | null;
  reworkUserId: string | null;
  runId: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
};

export const taskView = (t: Row): z.infer<typeof taskSchema> => ({
  id: t.id,
  projectId: t.projectId,
  pipelineId: t.pipelineId,
  nodeId: t.nodeId,
  status: t.status as "queued" | "claimed" | "completed" | "cancelled",
  priority: t.priority,
  payload: t.payload,
  assignedUserId: t.assignedUserId,
  assignedTypeId: t.assignedTypeId,
  assignmentApplies: t.assignmentApplies,
  reworkUserId: t.reworkUserId,
  runId: t.runId,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
  completedAt: t.completedAt?.toISOString() ?? null,
});

/** A task in a list: everything but the payload, which is summarized (tasks/summaries.ts). */
export const taskSummarySchema = taskSchema.omit({ payload: true }).extend({
  payloadSize: z.number().describe("bytes of the payload as JSON text"),
  preview: z.string().describe(`the payload's first ${PREVIEW_CHARS} characters as JSON text; the whole payload at GET /api/tasks/{taskId}`),
});

export const taskSummaryView = (t: Omit<Row, "payload">, facts: { payloadSize: number; preview: string }): z.infer<typeof taskSummarySchema> => {
  const { payload: _payload, ...rest } = taskView({ ...t, payload: null });
  return { ...rest, payloadSize: facts.payloadSize, preview: facts.preview };
};

const who = z.object({ id: z.string(), name: z.string() }).nullable();

export const historySchema = z.object({
  type: z.string(),
  at: z.string(),
  user: who.describe("whom the step concerns: who claimed, submitted or reviewed; the author a return goes back to; the holder of a released, expired or revoked claim"),
  by: who.describe("who acted when it was not `user` (the admin who revoked a claim); null otherwise"),
  nodeId: z.string().nullable(),
  claimId: z.string().nullable(),
  data: z.unknown(),
});

export const taskDetailSchema = taskSchema.extend({
  /** The agent run that created the task, if one did. */
  run: z.object({ id: z.string(), agentId: z.string(), externalId: z.string().nullable(), createdAt: z.string() }).nullable(),
  history: z.array(historySchema),
  claims: z.array(
    z.object({
      id: z.string(),
      nodeId: z.string(),
      user: who,
      epoch: z.number(),
      outcome: z.enum(["active", "submitted", "released", "expired", "revoked"]),
      claimedAt: z.string(),
      expiresAt: z.string(),
      endedAt: z.string().nullable(),
    }),
  ),
  submissions: z.array(z.object({ id: z.string(), nodeId: z.string(), user: who, answers: z.unknown(), attempt: z.number(), createdAt: z.string() })),
  reviews: z.array(
    z.object({
      id: z.string(),
      nodeId: z.string(),
      user: who,
      submissionId: z.string(),
      verdict: z.enum(["pass", "return"]),
      comment: z.string().nullable(),
      round: z.number(),
      createdAt: z.string(),
    }),
  ),
});
