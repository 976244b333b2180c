// A task with its whole story: every step in order (TaskEvent), and the
// claims, submissions and reviews behind them, each with who and when.
import type { Deps } from "../../deps";
import type { z } from "zod";
import { taskView, type taskDetailSchema } from "./view";

type Task = Parameters<typeof taskView>[0];

/** A step's `userId` is whom it concerns (a revoked claim's holder); `data.by` is who did it when that was someone else. */
const actorOf = (data: unknown): string | null => {
  const by = data && typeof data === "object" ? (data as { by?: unknown }).by : undefined;
  return typeof by === "string" ? by : null;
};

export async function taskDetail(deps: Deps, task: Task): Promise<z.infer<typeof taskDetailSchema>> {
  const where = { taskId: task.id };
  const [events, claims, submissions, reviews, run] = await Promise.all([
    // Ids are sequence-ordered, so steps written at one instant keep their order.
    deps.db.taskEvent.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    deps.db.claim.findMany({ where, orderBy: { claimedAt: "asc" } }),
    deps.db.submission.findMany({ where, orderBy: { createdAt: "asc" } }),
    deps.db.review.findMany({ where, orderBy: { createdAt: "asc" } }),
    task.runId ? deps.db.run.findUnique({ where: { id: task.runId }, select: { id: true, agentId: true, externalId: true, createdAt: true } }) : null,
  ]);
  const ids = new Set<string>();
  for (const r of [...events, ...claims, ...submissions, ...reviews]) if (r.userId) ids.add(r.userId);
  for (const e of events) if (actorOf(e.data)) ids.add(actorOf(e.data)!);
  const users = new Map((await deps.db.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } })).map((u) => [u.id, u]));
  const who = (id: string | null) => (id ? (users.get(id) ?? { id, name: "(removed)" }) : null);
  return {
    ...taskView(task),
    run: run ? { ...run, createdAt: run.createdAt.toISOString() } : null,
    history: events.map((e) => ({
      type: e.type,
      at: e.createdAt.toISOString(),
      user: who(e.userId),
      by: who(actorOf(e.data)),
      nodeId: e.nodeId,
      claimId: e.claimId,
      data: e.data ?? null,
    })),
    claims: claims.map((c) => ({
      id: c.id,
      nodeId: c.nodeId,
      user: who(c.userId),
      epoch: c.epoch,
      outcome: c.outcome as "active",
      claimedAt: c.claimedAt.toISOString(),
      expiresAt: c.expiresAt.toISOString(),
      endedAt: c.endedAt?.toISOString() ?? null,
    })),
    submissions: submissions.map((s) => ({ id: s.id, nodeId: s.nodeId, user: who(s.userId), answers: s.answers, attempt: s.attempt, createdAt: s.createdAt.toISOString() })),
    reviews: reviews.map((r) => ({
      id: r.id,
      nodeId: r.nodeId,
      user: who(r.userId),
      submissionId: r.submissionId,
      verdict: r.verdict as "pass" | "return",
      comment: r.comment,
      round: r.round,
      createdAt: r.createdAt.toISOString(),
    })),
  };
}
