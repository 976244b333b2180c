// What the task page says when the claim it was opened for has ended (a lease
// warning followed late, an old tab or bookmark): how it ended, from the API's
// 409 claim_lost (`details.outcome`, told only to the holder), or what a 404 or
// 403 means there. Any other failure is an error, shown as such.
import { ApiError } from "./api/client";

export interface EndedClaim {
  title: string;
  why: string;
  /** The claim's node, for the way back to its queue. */
  nodeId: string | null;
}

const HOW: Record<string, string> = {
  submitted: "It was submitted.",
  released: "It was released and the task went back to the queue.",
  expired: "Its lease ran out and the task went back to the queue, where someone else may have taken it.",
  revoked: "An admin took it back and the task went back to the queue.",
};

/** A claim that ended before the page opened, as the API answered it; null for other failures. */
export function endedClaim(err: unknown): EndedClaim | null {
  if (!(err instanceof ApiError)) return null;
  if (err.code === "claim_lost") {
    const outcome = err.details?.outcome;
    const nodeId = err.details?.nodeId;
    return {
      title: "This claim has ended",
      why: (typeof outcome === "string" && HOW[outcome]) || "It was submitted, released or expired.",
      nodeId: typeof nodeId === "string" ? nodeId : null,
    };
  }
  if (err.status === 404) return { title: "This claim was not found", why: "It may have been removed with its project.", nodeId: null };
  if (err.status === 403) return { title: "This claim is not yours to open", why: "It belongs to another account, or you are no longer on its project.", nodeId: null };
  return null;
}

/** A claim this tab saw end (submitted or released here), opened again. */
export function endedHere(outcome: "submitted" | "released", nodeId: string): EndedClaim {
  return { title: "This claim has ended", why: HOW[outcome]!, nodeId };
}

/** The way back: the claim's node in its project's queue when known, else the queues. */
export function queueHref(projectId: string | null, nodeId: string | null): string {
  if (!projectId) return "/work";
  const base = `/projects/${encodeURIComponent(projectId)}/queue`;
  return nodeId ? `${base}?node=${encodeURIComponent(nodeId)}` : base;
}
