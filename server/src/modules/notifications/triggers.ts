// Domain events (after commit) → stored and pushed notifications, each batch in
// its own transaction: review_ready to the reviewers of the node a task reached
// (a digest: each reviewer's unread one for the node grows, digest.ts), work_returned
// to the author, claim_expiring and claim_expired to the holder. Reviewers off shift
// now are told when their window opens (shifts.ts).
import type { Deps } from "../../deps";
import type { DomainEventOf } from "../../events/bus";
import { reviewersFor } from "./recipients";
import { notify } from "./service";
import { texts } from "./texts";

export interface NotificationTriggers {
  /** Resolves once every notification started so far is stored and published. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startNotificationTriggers(deps: Deps): NotificationTriggers {
  const pending = new Set<Promise<unknown>>();
  const run = (what: string, job: () => Promise<unknown>) => {
    const p = job()
      .catch((err) => deps.log.error({ err, what }, "notification trigger failed"))
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  const offs = [
    deps.bus.on("task.moved", (e) => run("review_ready", () => reviewReady(deps, e))),
    deps.bus.on("task.reviewed", (e) => e.verdict === "return" && run("work_returned", () => workReturned(deps, e))),
    deps.bus.on("claim.expiring", (e) => run("claim_expiring", () => claimExpiring(deps, e))),
    deps.bus.on("task.released", (e) => e.reason === "expired" && run("claim_expired", () => claimExpired(deps, e))),
  ];
  const idle = async () => {
    while (pending.size) await Promise.allSettled([...pending]);
  };
  return {
    idle,
    async stop() {
      for (const off of offs) off();
      await idle();
    },
  };
}

const nodeOf = (deps: Deps, id: string) => deps.db.pipelineNode.findUnique({ where: { id } });

async function reviewReady(deps: Deps, e: DomainEventOf<"task.moved">) {
  const node = await nodeOf(deps, e.nodeId);
  if (node?.kind !== "review") return;
  const [userIds, project] = await Promise.all([
    reviewersFor(deps, node, e.taskId),
    deps.db.project.findUnique({ where: { id: e.projectId }, select: { name: true } }),
  ]);
  await notify(
    deps,
    userIds.map((userId) => texts.reviewReady({ ...e, userId, nodeName: node.name, projectName: project?.name ?? "your project" })),
  );
}

async function workReturned(deps: Deps, e: DomainEventOf<"task.reviewed">) {
  // Returned work not kept for its author (they left the project or may no
  // longer work the node) opened to others: there is nothing waiting for them.
  if (!e.keptForAuthor) return;
  const [review, reviewNode] = await Promise.all([
    deps.db.review.findUnique({ where: { id: e.reviewId }, select: { comment: true } }),
    nodeOf(deps, e.nodeId),
  ]);
  // The work goes back to the task node the review node reviews.
  const node = reviewNode?.reviewsNodeId ? await nodeOf(deps, reviewNode.reviewsNodeId) : reviewNode;
  await notify(deps, [
    texts.workReturned({ ...e, userId: e.authorId, nodeId: node?.id ?? e.nodeId, nodeName: node?.name ?? "a task node", comment: review?.comment ?? null }),
  ]);
}

async function claimExpiring(deps: Deps, e: DomainEventOf<"claim.expiring">) {
  const node = await nodeOf(deps, e.nodeId);
  const leftMs = Date.parse(e.expiresAt) - deps.clock.now().getTime();
  await notify(deps, [texts.claimExpiring({ ...e, nodeName: node?.name ?? "a node", leftMs })]);
}

async function claimExpired(deps: Deps, e: DomainEventOf<"task.released">) {
  const node = await nodeOf(deps, e.nodeId);
  await notify(deps, [texts.claimExpired({ ...e, nodeName: node?.name ?? "a node" })]);
}
