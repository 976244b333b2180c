// Typed calls of the claim engine's PostgreSQL functions (see the
// claim_engine_functions migration): one round trip per write.
import type { Sql } from "./pg";

export interface ClaimRecord {
  status: "ok" | "stale" | "unavailable";
  epoch: number;
  token: string;
  payload: unknown;
  pipelineId: string;
  priority: number;
  createdAt: string;
  runId: string | null;
  reviewed: { submissionId: string; answers: Record<string, unknown>; attempt: number; createdAt: string } | null;
  /** At a task node: the task was submitted there before (it may be returned work). */
  resubmit?: boolean;
}

export interface ClaimArgs {
  projectId: string;
  generation: number;
  taskId: string;
  nodeId: string;
  claimId: string;
  userId: string;
  secret: string;
  now: Date;
  expiresAt: Date;
  reviewsNodeId: string | null;
}

/** One claim, alone in its transaction (claims that queue up share one: claim-writer.ts). */
export async function recordClaim(db: Sql, a: ClaimArgs): Promise<ClaimRecord> {
  const rows = await db.query<{ r: ClaimRecord }>(
    "SELECT pipelines_claim($1::text, $2::int, $3::text, $4::text, $5::text, $6::text, $7::text, $8::timestamptz, $9::timestamptz, $10::text) AS r",
    [a.projectId, a.generation, a.taskId, a.nodeId, a.claimId, a.userId, a.secret, a.now, a.expiresAt, a.reviewsNodeId],
  );
  return rows[0]!.r;
}

/** What Redis needs to place a task again after its claim ended. */
export interface Placement {
  taskId: string;
  pipelineId: string;
  priority: number;
  createdAt: string;
  /** The task's assignment, whether or not it applies where the task now waits. */
  assignedUserId: string | null;
  assignedTypeId: string | null;
  /** Whether the assignment applies at the node the task now waits at (placement.ts). */
  assignmentApplies: boolean;
  reworkUserId: string | null;
  /** The author who may not take it at its (review) node. */
  author: string | null;
}

export type SubmitRecord = { status: "lost" } | ({ status: "ok"; fromNode: string; attempt: number } & Placement);

export async function recordSubmission(
  db: Sql,
  a: { claimId: string; token: string; userId: string; now: Date; submissionId: string; orgId: string; answers: unknown; nextNodeId: string; complete: boolean; nextReviews: string | null },
): Promise<SubmitRecord> {
  const rows = await db.query<{ r: SubmitRecord }>(
    "SELECT pipelines_submit($1::text, $2::text, $3::text, $4::timestamptz, $5::text, $6::text, $7::jsonb, $8::text, $9::boolean, $10::text) AS r",
    [a.claimId, a.token, a.userId, a.now, a.submissionId, a.orgId, JSON.stringify(a.answers), a.nextNodeId, a.complete, a.nextReviews],
  );
  const r = rows[0]!.r;
  return r.status === "ok" ? { ...r, reworkUserId: null } : r;
}

export type ReviewRecord =
  | { status: "lost" }
  | ({ status: "ok"; fromNode: string; round: number; authorId: string; submissionId: string; nextNode: string; completed: boolean } & Placement);

export async function recordReview(
  db: Sql,
  a: {
    claimId: string;
    token: string;
    userId: string;
    now: Date;
    reviewId: string;
    orgId: string;
    verdict: "pass" | "return";
    comment: string | null;
    reviewedNodeId: string;
    passNodeId: string;
    passComplete: boolean;
    passReviews: string | null;
  },
): Promise<ReviewRecord> {
  const rows = await db.query<{ r: ReviewRecord }>(
    "SELECT pipelines_review($1::text, $2::text, $3::text, $4::timestamptz, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::boolean, $12::text) AS r",
    [a.claimId, a.token, a.userId, a.now, a.reviewId, a.orgId, a.verdict, a.comment, a.reviewedNodeId, a.passNodeId, a.passComplete, a.passReviews],
  );
  return rows[0]!.r;
}

export type EndedClaim = { claimId: string; nodeId: string; userId: string } & Placement;

/**
 * Ends live claims without a submission. `deadlines` (ms) make each expiry
 * conditional on the deadline the sweeper saw; release passes token and user,
 * revoke passes the acting admin. `settles`: the caller places the tasks in
 * Redis from the answer (`assignmentApplies`), so the assignees' member rows
 * are read FOR SHARE first and a change of their type waits for this commit
 * (migration end_claims_lock_assignee). A change of role passes false: it
 * rebuilds Redis instead, and holds a member row of its own already.
 */
export async function endClaims(
  db: Sql,
  a: {
    ids: string[]; deadlines?: number[]; outcome: "released" | "expired" | "revoked"; now: Date;
    token?: string; userId?: string; actorId?: string; settles?: boolean;
  },
): Promise<EndedClaim[]> {
  const deadlines = a.deadlines ?? a.ids.map(() => null);
  const rows = await db.query<{ r: EndedClaim }>(
    "SELECT pipelines_end_claims($1::text[], $2::bigint[], $3::text, $4::timestamptz, $5::text, $6::text, $7::text, $8::boolean) AS r",
    [a.ids, deadlines, a.outcome, a.now, a.token ?? null, a.userId ?? null, a.actorId ?? null, a.settles ?? false],
  );
  return rows.map((x) => x.r);
}

/** Starts a new generation of the project's Redis state (waits out claims being recorded). */
export async function nextGeneration(db: Sql, projectId: string, now: Date): Promise<number> {
  const rows = await db.query<{ g: number }>("SELECT pipelines_next_generation($1::text, $2::timestamptz) AS g", [projectId, now]);
  return Number(rows[0]!.g);
}
