import { z } from "zod";
import { REASONS } from "../../queue/codes";
import type { ClaimResult, NodeDef, Submitted } from "../../queue/engine";
import { formSchema } from "../pipelines/form";

export const myClaimSchema = z.object({ id: z.string(), taskId: z.string(), token: z.string(), expiresAt: z.string() });

export const queueItemSchema = z.object({
  nodeId: z.string(),
  pipelineId: z.string(),
  pipelineName: z.string(),
  /** Versions of a pipeline share its name; an old version is listed while it still holds work for the caller. */
  pipelineVersion: z.number(),
  key: z.string(),
  name: z.string(),
  kind: z.enum(["task", "review"]),
  leaseSeconds: z.number(),
  available: z.number(),
  /** Of `available`, the tasks kept for the caller alone: returned to them for rework, or assigned to them. */
  reservedForMe: z.object({ rework: z.number(), assigned: z.number() }),
  myClaims: z.array(myClaimSchema),
  canClaim: z.boolean(),
  reason: z.enum(REASONS).optional(),
  /** With `outside_schedule`: when the caller's work schedule opens next. */
  opensAt: z.string().optional(),
  /** While the schedule is open: when it closes next (absent if not within the week), so a page can read the queue again then. */
  closesAt: z.string().optional(),
});

/** The queue answer: the nodes, and the standing the limits come from (a contributor with no type holds one claim at a time). */
export const queueSchema = z.object({
  items: z.array(queueItemSchema),
  contributorType: z.object({ id: z.string(), name: z.string() }).nullable(),
  claimLimit: z.number(),
});

/** GET /api/projects/:projectId/queue/:nodeId/tasks (available.ts): a task the caller could claim now. */
export const availableTaskSchema = z.object({
  id: z.string(),
  priority: z.number(),
  createdAt: z.string(),
  preview: z.string().describe("the payload's first 200 characters as JSON text; the claim gives it whole"),
  reservedForMe: z
    .enum(["rework", "assigned"])
    .nullable()
    .describe("kept for the caller alone: returned to them by a review (`rework`), or assigned to them; null when open to others too"),
  reviewComment: z.string().nullable().describe("with `rework`: the first 200 characters of the returning review's comment"),
});
export type AvailableTask = z.infer<typeof availableTaskSchema>;

const nodeBrief = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  kind: z.enum(["task", "review", "end"]),
  form: formSchema.nullable(),
  leaseSeconds: z.number(),
  maxLeaseSeconds: z.number(),
});

export const claimedSchema = z.object({
  claim: z.object({ id: z.string(), taskId: z.string(), nodeId: z.string(), token: z.string(), expiresAt: z.string() }),
  task: z.object({
    id: z.string(),
    pipelineId: z.string(),
    nodeId: z.string(),
    priority: z.number(),
    payload: z.unknown(),
    createdAt: z.string(),
    runId: z.string().nullable(),
    node: nodeBrief,
    /** On a review node: the submission under review (its author is not shown). */
    reviewed: z
      .object({ submissionId: z.string(), answers: z.unknown(), attempt: z.number(), createdAt: z.string(), node: nodeBrief })
      .nullable(),
    /**
     * On a task node, when a review returned the latest submission there: the
     * reviewer's comment and the answers returned (rework goes to its author first).
     */
    rework: z
      .object({ answers: z.record(z.string(), z.unknown()), attempt: z.number(), comment: z.string().nullable(), round: z.number(), returnedAt: z.string() })
      .nullable(),
  }),
});

const brief = (n: NodeDef) => ({ id: n.id, key: n.key, name: n.name, kind: n.kind, form: n.form, leaseSeconds: n.leaseSeconds, maxLeaseSeconds: n.maxLeaseSeconds });
const iso = (d: string | Date) => new Date(d).toISOString();

export function claimedView(r: ClaimResult): z.infer<typeof claimedSchema> {
  return {
    claim: { id: r.claim.id, taskId: r.claim.taskId, nodeId: r.claim.nodeId, token: r.claim.token, expiresAt: r.claim.expiresAt.toISOString() },
    task: {
      id: r.task.id,
      pipelineId: r.task.pipelineId,
      nodeId: r.node.id,
      priority: r.task.priority,
      payload: r.task.payload,
      createdAt: iso(r.task.createdAt),
      runId: r.task.runId,
      node: brief(r.node),
      reviewed: r.reviewed
        ? { submissionId: r.reviewed.submissionId, answers: r.reviewed.answers, attempt: r.reviewed.attempt, createdAt: iso(r.reviewed.createdAt), node: brief(r.reviewed.node) }
        : null,
      rework: r.rework ? { ...r.rework, returnedAt: r.rework.returnedAt.toISOString() } : null,
    },
  };
}

export const submissionSchema = z.object({
  id: z.string(),
  kind: z.enum(["evaluation", "review"]),
  taskId: z.string(),
  nodeId: z.string(),
  answers: z.record(z.string(), z.unknown()).optional(),
  attempt: z.number().optional(),
  verdict: z.enum(["pass", "return"]).optional(),
  comment: z.string().nullable().optional(),
  round: z.number().optional(),
  submissionId: z.string().optional(),
  createdAt: z.string(),
});

export const submittedView = (s: Submitted): z.infer<typeof submissionSchema> => ({ ...s, createdAt: s.createdAt.toISOString() });

export const activeClaimSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  nodeId: z.string(),
  user: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  claimedAt: z.string(),
  expiresAt: z.string(),
});

// GET /api/me/submissions (mine.ts): my evaluations and my reviews, told apart by `kind`.
const mine = {
  id: z.string(),
  projectId: z.string(),
  taskId: z.string(),
  nodeId: z.string(),
  nodeName: z.string().nullable(),
  createdAt: z.string(),
};
const verdict = z.enum(["pass", "return"]);
export const mySubmissionSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("evaluation"),
    ...mine,
    answers: z.unknown(),
    attempt: z.number(),
    /** The latest review of this evaluation, if any (its reviewer is not shown). */
    review: z.object({ verdict, comment: z.string().nullable(), round: z.number(), createdAt: z.string() }).nullable(),
    reworkWaiting: z
      .boolean()
      .describe(
        "its review returned it to me and the task waits for my rework now, at this node (not claimed, cancelled or reworked yet): claim it by taskId at this node, or browse the node's tasks",
      ),
  }),
  z.object({
    kind: z.literal("review"),
    ...mine,
    /** The evaluation reviewed (its author is not shown). */
    submissionId: z.string(),
    verdict,
    comment: z.string().nullable(),
    round: z.number(),
  }),
]);
export type MySubmission = z.infer<typeof mySubmissionSchema>;
