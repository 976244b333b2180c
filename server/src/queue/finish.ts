// Submit with a live claim: answers on a task node, a verdict on a review node.
// PostgreSQL decides (the write is conditional on the token, so a stale holder
// writes nothing), then Redis follows and the events go out.
import type { Actor } from "../access/actor";
import type { Deps } from "../deps";
import type { TaskRef } from "../events/bus";
import { toAppError } from "../http/error-handler";
import { AppError, invalidRequest } from "../http/errors";
import { validateAnswers } from "../modules/pipelines/form";
import type { NodeDef } from "./catalog";
import { claimLost } from "./codes";
import { claimTask, type ClaimResult } from "./claim";
import { runSettle, settleCall, type SettleCall } from "./follow";
import { forgetGranted, loadHeldClaim, stillHeld } from "./held";
import { newId } from "./ids";
import { recordReview, recordSubmission } from "./sql";
import { sqlOf } from "./pg";

export interface SubmitInput {
  token: string;
  answers?: Record<string, unknown>;
  verdict?: "pass" | "return";
  comment?: string;
}

export type Submitted =
  | { kind: "evaluation"; id: string; taskId: string; nodeId: string; answers: Record<string, unknown>; attempt: number; createdAt: Date }
  | { kind: "review"; id: string; taskId: string; nodeId: string; verdict: "pass" | "return"; comment: string | null; round: number; submissionId: string; createdAt: Date };

export function submitClaim(deps: Deps, actor: Actor, claimId: string, input: SubmitInput): Promise<Submitted> {
  return submit(deps, actor, claimId, input, async (call, publish) => {
    await runSettle(deps, call);
    publish();
  });
}

/**
 * Submit, then claim the next task at the same node for the same contributor:
 * the submitted claim's settle and the new claim share one Redis call. The
 * submission stands whatever the claim answers; `next` is the new claim or
 * the reason there is none (the error a claim at that node would answer).
 */
export async function submitAndClaimNext(
  deps: Deps,
  actor: Actor,
  claimId: string,
  input: SubmitInput,
): Promise<{ submitted: Submitted; next: ClaimResult | AppError }> {
  let next: ClaimResult | AppError | undefined;
  const submitted = await submit(deps, actor, claimId, input, async (call, publish, nodeId) => {
    // The submission has committed: from here on a failure is the next claim's answer, never the submit's.
    next = await claimTask(deps, actor, call.projectId, { nodeId }, { call, onSettled: publish }).catch((err: unknown) => {
      if (!(err instanceof AppError)) deps.log.warn({ err, claimId }, "the next claim after a submit failed");
      return toAppError(err);
    });
  });
  // submit() follows every submission it returns, so `next` is set by now.
  return { submitted, next: next! };
}

/** Runs the settle of the ended claim (`call`), then publishes the submit's events (`publish`). */
type Follow = (call: SettleCall, publish: () => void, nodeId: string) => Promise<void>;

async function submit(deps: Deps, actor: Actor, claimId: string, input: SubmitInput, follow: Follow): Promise<Submitted> {
  const { claim, cat, node, fromGrant } = await loadHeldClaim(deps, actor, claimId, { granted: true });
  const ref = (nodeId: string): TaskRef => ({ orgId: cat.orgId, projectId: claim.projectId, pipelineId: node.pipelineId, nodeId, taskId: claim.taskId });
  const now = deps.clock.now();
  const next = node.next!; // an end node always follows a work node

  if (node.kind === "task") {
    const answers = await stillHeld(deps, actor, claimId, fromGrant, () => {
      if (!input.answers || input.verdict !== undefined || input.comment !== undefined)
        throw invalidRequest("A task node takes `answers` (an object keyed by criterion), not a verdict.");
      return validateAnswers(node.form!, input.answers);
    });
    const complete = next.kind === "end";
    const id = newId();
    const r = await recordSubmission(sqlOf(deps), {
      claimId, token: input.token, userId: actor.userId, now, submissionId: id, orgId: cat.orgId, answers,
      nextNodeId: next.id, complete, nextReviews: next.kind === "review" ? next.reviewsNodeId : null,
    });
    if (r.status === "lost") {
      forgetGranted(deps, claimId);
      throw claimLost();
    }
    forgetGranted(deps, claimId);
    await follow(settleCall(claim.projectId, claim.taskId, claimId, complete ? null : next, r), () =>
      deps.bus.publish([
        { type: "task.submitted", ...ref(node.id), claimId, userId: actor.userId, submissionId: id },
        complete ? { type: "task.completed", ...ref(next.id) } : { type: "task.moved", ...ref(next.id), fromNodeId: node.id },
      ]),
      node.id,
    );
    return { kind: "evaluation", id, taskId: claim.taskId, nodeId: node.id, answers, attempt: r.attempt, createdAt: now };
  }

  const verdict = await stillHeld(deps, actor, claimId, fromGrant, () => {
    if (!input.verdict || input.answers !== undefined) throw invalidRequest("A review node takes a `verdict` (pass or return) and an optional comment.");
    return input.verdict;
  });
  const reviewed = cat.nodes.get(node.reviewsNodeId!)!;
  const id = newId();
  const r = await recordReview(sqlOf(deps), {
    claimId, token: input.token, userId: actor.userId, now, reviewId: id, orgId: cat.orgId, verdict: verdict,
    comment: input.comment ?? null, reviewedNodeId: reviewed.id, passNodeId: next.id, passComplete: next.kind === "end",
    passReviews: next.kind === "review" ? next.reviewsNodeId : null,
  });
  forgetGranted(deps, claimId);
  if (r.status === "lost") throw claimLost();
  const to: NodeDef | null = r.completed ? null : r.nextNode === reviewed.id ? reviewed : next;
  await follow(settleCall(claim.projectId, claim.taskId, claimId, to, r), () =>
    deps.bus.publish([
      { type: "task.reviewed", ...ref(node.id), claimId, userId: actor.userId, reviewId: id, verdict: verdict, authorId: r.authorId,
        keptForAuthor: r.reworkUserId === r.authorId },
      r.completed ? { type: "task.completed", ...ref(next.id) } : { type: "task.moved", ...ref(to!.id), fromNodeId: node.id },
    ]),
    node.id,
  );
  return {
    kind: "review", id, taskId: claim.taskId, nodeId: node.id, verdict: verdict, comment: input.comment ?? null,
    round: r.round, submissionId: r.submissionId, createdAt: now,
  };
}
