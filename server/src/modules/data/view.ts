import { z } from "zod";
import { latestPerNode, PREVIEW_CHARS, runOf, type TaskSummaryRecord } from "./records";

const evaluation = z.object({
  id: z.string(),
  nodeId: z.string(),
  node: z.string().nullable(),
  userId: z.string(),
  userName: z.string().nullable(),
  answers: z.record(z.string(), z.unknown()),
  attempt: z.number(),
  createdAt: z.string(),
});
const review = z.object({
  id: z.string(),
  nodeId: z.string(),
  node: z.string().nullable(),
  submissionId: z.string(),
  userId: z.string(),
  userName: z.string().nullable(),
  verdict: z.enum(["pass", "return"]),
  comment: z.string().nullable(),
  round: z.number(),
  createdAt: z.string(),
});

export const explorerItemSchema = z.object({
  id: z.string(),
  pipelineId: z.string(),
  nodeId: z.string(),
  node: z.object({ key: z.string(), name: z.string(), kind: z.string() }).nullable(),
  status: z.enum(["queued", "claimed", "completed", "cancelled"]),
  priority: z.number(),
  payloadSize: z.number().describe("bytes of the payload as JSON text"),
  preview: z
    .string()
    .describe(`the payload's first ${PREVIEW_CHARS} characters as JSON text; the whole payload at GET /api/tasks/{taskId}, every payload whole in the export`),
  run: z.object({ id: z.string(), agentId: z.string(), externalId: z.string().nullable(), createdAt: z.string() }).nullable(),
  assignedUserId: z.string().nullable(),
  assignedTypeId: z.string().nullable(),
  /** Whether the assignment applies at the current node (its assignee may work it); null without one or once completed. */
  assignmentApplies: z.boolean().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
  /** The latest evaluation on each task node. */
  evaluations: z.array(evaluation),
  /** The latest review on each review node. */
  reviews: z.array(review),
  counts: z.object({ evaluations: z.number(), reviews: z.number() }),
});

export function explorerItemView(t: TaskSummaryRecord) {
  return {
    id: t.id,
    pipelineId: t.pipelineId,
    nodeId: t.nodeId,
    node: t.nodeKey ? { key: t.nodeKey, name: t.nodeName ?? t.nodeKey, kind: t.nodeKind ?? "" } : null,
    status: t.status as "queued" | "claimed" | "completed" | "cancelled",
    priority: t.priority,
    payloadSize: t.payloadSize,
    preview: t.payloadPreview,
    run: runOf(t),
    assignedUserId: t.assignedUserId,
    assignedTypeId: t.assignedTypeId,
    assignmentApplies: t.assignmentApplies,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    completedAt: t.completedAt?.toISOString() ?? null,
    evaluations: latestPerNode(t.evaluations),
    reviews: latestPerNode(t.reviews),
    counts: { evaluations: t.evaluations.length, reviews: t.reviews.length },
  };
}
