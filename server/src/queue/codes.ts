// The negative return codes of the Lua scripts, named once, and what the API
// answers for the ones a caller can meet (API.md's 409 codes).
import { AppError, conflict } from "../http/errors";

export enum Code {
  /** The project's state is not in Redis (never built, flushed, restarted): rebuild, retry. */
  NotLoaded = -1,
  ClaimLimit = -2,
  PoolLimit = -3,
  QueueEmpty = -4,
  TaskUnavailable = -5,
  ClaimLost = -6,
  /** The caller's cached limits are older than the project's config version: reload, retry. */
  StaleConfig = -7,
}

const messages: Partial<Record<Code, [string, string]>> = {
  [Code.ClaimLimit]: ["claim_limit_reached", "You hold as many claims as you may at once in this project (your contributor type's limit, or 1 with no type); finish or release one first."],
  [Code.PoolLimit]: ["pool_limit_reached", "Your contributor type holds as many claims together as it may; try again when one is finished."],
  [Code.QueueEmpty]: ["queue_empty", "No task is waiting for you at this node right now."],
  [Code.TaskUnavailable]: ["task_unavailable", "This task is not available to you at this node (taken, moved, or reserved for someone else)."],
  [Code.ClaimLost]: ["claim_lost", "This claim is no longer yours (it expired, was revoked or finished); nothing was saved. Keep your draft."],
};

export const REASONS = ["claim_limit_reached", "pool_limit_reached", "outside_schedule", "queue_empty", "project_archived"] as const;
export type Reason = (typeof REASONS)[number];

export function codeError(code: Code, details?: Record<string, unknown>): AppError {
  const m = messages[code];
  if (!m) return new AppError(500, "internal", `Unexpected claim engine code ${code}.`);
  return conflict(m[0], m[1], details);
}

/** `details` when the claim was read as ended: how (`outcome`) and at which node, for its holder's page to say. */
export const claimLost = (details?: { outcome: string; nodeId: string }) => codeError(Code.ClaimLost, details);
