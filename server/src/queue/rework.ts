// A task returned for rework comes back to the task node with what the
// reviewer said and the answers that were returned, so whoever takes it
// (its author first) fixes them instead of starting from a blank form.
import type { Deps } from "../deps";
import { sqlOf } from "./pg";

export interface Rework {
  /** The returned submission's answers and attempt number. */
  answers: Record<string, unknown>;
  attempt: number;
  /** The reviewer's word and the review round that returned it. */
  comment: string | null;
  round: number;
  returnedAt: Date;
}

/** The latest submission at the node, if a review returned it; null otherwise. */
export async function reworkOf(deps: Deps, taskId: string, nodeId: string): Promise<Rework | null> {
  const rows = await sqlOf(deps).query<{ answers: Record<string, unknown>; attempt: number; comment: string | null; round: number; createdAt: Date }>(
    `SELECT s.answers, s.attempt, r.comment, r.round, r."createdAt"
     FROM (SELECT id, answers, attempt FROM "Submission" WHERE "taskId" = $1 AND "nodeId" = $2 ORDER BY "createdAt" DESC, id DESC LIMIT 1) s
     JOIN "Review" r ON r."taskId" = $1 AND r."submissionId" = s.id AND r.verdict = 'return' -- by the index on (taskId, nodeId)
     ORDER BY r."createdAt" DESC LIMIT 1`,
    [taskId, nodeId],
  );
  const r = rows[0];
  return r ? { answers: r.answers, attempt: r.attempt, comment: r.comment, round: r.round, returnedAt: r.createdAt } : null;
}
