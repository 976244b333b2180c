// What each notification says and where it leads (paths of the web client).
import type { NewNotification } from "./service";

const queueLink = (projectId: string, nodeId: string) => `/projects/${projectId}/queue?node=${encodeURIComponent(nodeId)}`;
/** The task page of a claim still held: the holder goes back to their work, not to the queue. */
const claimLink = (projectId: string, claimId: string) => `/work/claims/${encodeURIComponent(claimId)}?project=${encodeURIComponent(projectId)}`;

/** Time left in words: seconds under a minute (short leases), else minutes. */
const timeLeft = (ms: number) => {
  if (ms < 59_500) {
    const s = Math.max(1, Math.round(ms / 1000));
    return s === 1 ? "1 second" : `${s} seconds`;
  }
  const m = Math.round(ms / 60_000);
  return m === 1 ? "1 minute" : `${m} minutes`;
};

type Base = { userId: string; orgId: string; projectId: string; nodeId: string; taskId: string };

export const texts = {
  /** A digest per reviewer and node: each task reaching the node while it is unread adds to it (digest.ts). */
  reviewReady: (b: Base & { nodeName: string; projectName: string }): NewNotification => {
    const text = (count: number) => ({
      title: `Ready for review: ${b.nodeName}`,
      body: count === 1 ? `A task in ${b.projectName} is waiting for review at ${b.nodeName}.` : `${count} tasks in ${b.projectName} reached review at ${b.nodeName}.`,
    });
    return {
      userId: b.userId,
      orgId: b.orgId,
      type: "review_ready",
      ...text(1),
      link: queueLink(b.projectId, b.nodeId),
      data: { projectId: b.projectId, nodeId: b.nodeId, taskId: b.taskId },
      digest: { key: b.nodeId, text },
    };
  },
  /** A reviewer's shift opened with work waiting (shifts.ts): told once per node and window opening. */
  reviewsWaiting: (b: Omit<Base, "taskId"> & { nodeName: string; projectName: string; count: number; dedupeKey: string }): NewNotification => ({
    userId: b.userId,
    orgId: b.orgId,
    type: "reviews_waiting",
    title: `Waiting for your review: ${b.nodeName}`,
    body: `${b.count === 1 ? "1 task waits" : `${b.count} tasks wait`} for your review at ${b.nodeName} in ${b.projectName}.`,
    link: queueLink(b.projectId, b.nodeId),
    data: { projectId: b.projectId, nodeId: b.nodeId, count: String(b.count) },
    dedupeKey: b.dedupeKey,
  }),
  workReturned: (b: Base & { nodeName: string; comment: string | null }): NewNotification => ({
    userId: b.userId,
    orgId: b.orgId,
    type: "work_returned",
    title: `Your work was returned: ${b.nodeName}`,
    body: b.comment ? `A reviewer returned your submission for rework: “${b.comment}”` : "A reviewer returned your submission for rework.",
    link: queueLink(b.projectId, b.nodeId),
    data: { projectId: b.projectId, nodeId: b.nodeId, taskId: b.taskId },
  }),
  claimExpiring: (b: Base & { claimId: string; nodeName: string; leftMs: number }): NewNotification => ({
    userId: b.userId,
    orgId: b.orgId,
    type: "claim_expiring",
    title: `Your claim expires in ${timeLeft(b.leftMs)}`,
    body: `Your claim at ${b.nodeName} runs out soon: keep the form open or submit to keep your work.`,
    link: claimLink(b.projectId, b.claimId),
    data: { projectId: b.projectId, nodeId: b.nodeId, taskId: b.taskId, claimId: b.claimId },
  }),
  claimExpired: (b: Base & { claimId: string; nodeName: string }): NewNotification => ({
    userId: b.userId,
    orgId: b.orgId,
    type: "claim_expired",
    title: "Your claim expired",
    body: `Your claim at ${b.nodeName} ran out and the task went back to the queue.`,
    link: queueLink(b.projectId, b.nodeId),
    data: { projectId: b.projectId, nodeId: b.nodeId, taskId: b.taskId, claimId: b.claimId },
  }),
};
