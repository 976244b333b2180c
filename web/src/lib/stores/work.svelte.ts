// The claims this tab works on: claim, heartbeat, submit, release. A claim lost
// to expiry or to someone else (409 claim_lost, or `claim:expired` /
// `claim:revoked` from the socket) keeps its answers on screen: they live in
// the draft, not the claim.
import { api, ApiError } from "../api/client";
import type { Claim, Criterion, NodeKind, Submission, Task } from "../api/types";
import { clearDraft } from "../forms/drafts";
import { realtime } from "../socket.svelte";
import { queue } from "./queue.svelte";
import { OPENED_CLAIM_PREFIX, session } from "./session.svelte";

export interface WorkNode {
  id: string;
  kind: NodeKind;
  name: string;
  criteria: Criterion[];
  leaseSeconds: number | null;
}

export interface ReviewSubject {
  submission: Submission | null;
  criteria: Criterion[];
  nodeName: string | null;
}

/** A task returned for rework: what the reviewer said and the answers they returned. */
export interface Rework {
  answers: Record<string, unknown>;
  attempt: number;
  comment: string | null;
  round: number;
  returnedAt: string;
}

export interface WorkItem {
  projectId: string;
  claim: Claim;
  task: Task;
  node: WorkNode;
  review: ReviewSubject | null;
  rework: Rework | null;
  state: "active" | "lost" | "submitted" | "released";
  /** Why the claim was lost, in words. */
  message: string | null;
  expiring: boolean;
}

interface SubmitAnswer {
  submission: Submission;
  next?: ClaimAnswer | null;
  nextError?: { code: string; message: string; details?: Record<string, unknown> };
}

const storeKey = (claimId: string) => `${OPENED_CLAIM_PREFIX}${claimId}`;

type Brief = { id: string; name: string; kind: NodeKind; form: { criteria: Criterion[] } | null; leaseSeconds?: number };

/** What the claim answer (POST claims, GET /api/claims/:id) carries: the task with its node and, on a review node, the submission under review. */
export interface ClaimAnswer {
  claim: Claim;
  task: Task & {
    node?: Brief;
    reviewed?: { submissionId: string; answers: unknown; attempt: number; createdAt: string; node: Brief } | null;
    rework?: Rework | null;
  };
}

export function workFromClaim(projectId: string, r: ClaimAnswer): WorkItem {
  const n = r.task.node;
  const node: WorkNode = {
    id: n?.id ?? r.claim.nodeId,
    kind: n?.kind ?? "task",
    name: n?.name ?? "Task",
    criteria: n?.form?.criteria ?? [],
    leaseSeconds: n?.leaseSeconds ?? null,
  };
  const rv = r.task.reviewed;
  const review: ReviewSubject | null =
    node.kind !== "review"
      ? null
      : {
          submission: rv ? { id: rv.submissionId, taskId: r.task.id, nodeId: rv.node.id, answers: (rv.answers ?? {}) as Record<string, unknown>, createdAt: rv.createdAt, attempt: rv.attempt } : null,
          criteria: rv?.node.form?.criteria ?? [],
          nodeName: rv?.node.name ?? null,
        };
  return { projectId, claim: r.claim, task: r.task, node, review, rework: r.task.rework ?? null, state: "active", message: null, expiring: false };
}

const LOST_MESSAGES: Record<string, string> = {
  claim_lost: "This claim ended: the lease ran out or the task was taken back. Your answers are still here.",
  expired: "The lease on this task ran out and it went back to the queue. Your answers are still here.",
  revoked: "An admin took this task back and it went back to the queue. Your answers are still here.",
};

class WorkStore {
  items = $state<Record<string, WorkItem>>({});
  private offs: Array<() => void> = [];

  /** Listens for claim expiry from the socket until stop(). */
  start() {
    this.stop();
    this.offs.push(
      realtime.on("claim:expired", (e) => {
        this.markLost(e.claimId, LOST_MESSAGES.expired!);
        queue.forgetClaim(e.claimId);
      }),
      realtime.on("claim:revoked", (e) => {
        this.markLost(e.claimId, LOST_MESSAGES.revoked!);
        queue.forgetClaim(e.claimId);
      }),
      realtime.on("claim:expiring", (e) => {
        const w = this.items[e.claimId];
        if (w && w.state === "active") w.expiring = true;
      }),
    );
  }

  stop() {
    for (const off of this.offs) off();
    this.offs = [];
  }

  get(claimId: string): WorkItem | null {
    return this.items[claimId] ?? null;
  }

  /** Brings back a claim this tab opened before a reload (call outside templates). */
  restore(claimId: string): WorkItem | null {
    if (this.items[claimId]) return this.items[claimId]!;
    try {
      const raw = sessionStorage.getItem(storeKey(claimId));
      if (!raw) return null;
      this.items[claimId] = JSON.parse(raw) as WorkItem;
      return this.items[claimId]!;
    } catch {
      return null;
    }
  }

  /**
   * A claim held but not open in this tab (another tab, a new session): read it from the server.
   * One that ended answers 409 claim_lost saying how (`details.outcome`): the page tells it.
   */
  async open(claimId: string, projectId: string): Promise<WorkItem> {
    const known = this.restore(claimId);
    if (known) return known;
    const r = await api.get<ClaimAnswer>(`/api/claims/${encodeURIComponent(claimId)}`);
    this.items[claimId] = workFromClaim(projectId, r);
    this.persist(claimId);
    return this.items[claimId]!;
  }

  async claim(projectId: string, nodeId: string, taskId?: string): Promise<WorkItem> {
    const r = await api.post<ClaimAnswer>(`/api/projects/${projectId}/claims`, { nodeId, ...(taskId ? { taskId } : {}) });
    const w = workFromClaim(projectId, r);
    this.items[w.claim.id] = w;
    this.persist(w.claim.id);
    return this.items[w.claim.id]!;
  }

  async heartbeat(claimId: string) {
    const w = this.items[claimId];
    if (!w || w.state !== "active") return;
    try {
      const r = await api.post<{ expiresAt: string }>(`/api/claims/${claimId}/heartbeat`, { token: w.claim.token });
      // A lease pushed further on is no longer about to end (the server warns again for the new deadline).
      if (Date.parse(r.expiresAt) > Date.parse(w.claim.expiresAt)) w.expiring = false;
      w.claim.expiresAt = r.expiresAt;
      this.persist(claimId);
    } catch (err) {
      if (err instanceof ApiError && (err.code === "claim_lost" || err.status === 404)) this.markLost(claimId, LOST_MESSAGES.claim_lost!);
      // Network trouble: keep the claim and try again at the next beat.
    }
  }

  /**
   * Submits; with `next`, the server claims the next task at the same node in the
   * same request: `nextItem` is that claim opened here, or null with `nextError`
   * (the reason code) when there was none to take.
   */
  async submit(claimId: string, body: { answers: Record<string, unknown> } | { verdict: "pass" | "return"; comment?: string }, next = false) {
    const w = this.items[claimId];
    if (!w) throw new Error("This claim is not open in this tab.");
    try {
      const r = await api.post<SubmitAnswer>(`/api/claims/${claimId}/submit`, { token: w.claim.token, ...body, ...(next ? { next: true } : {}) });
      w.state = "submitted";
      clearDraft(localStorage, session.user?.id, w.task.id, w.node.id);
      this.forget(claimId);
      let nextItem: WorkItem | null = null;
      if (r.next) {
        const n = workFromClaim(w.projectId, r.next);
        this.items[n.claim.id] = n;
        this.persist(n.claim.id);
        nextItem = this.items[n.claim.id]!;
      }
      return { submission: r.submission, nextItem, nextError: r.nextError ?? null };
    } catch (err) {
      if (err instanceof ApiError && err.code === "claim_lost") this.markLost(claimId, LOST_MESSAGES.claim_lost!);
      throw err;
    }
  }

  async release(claimId: string) {
    const w = this.items[claimId];
    if (!w) return;
    try {
      await api.del(`/api/claims/${claimId}`, { token: w.claim.token });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === "claim_lost")) throw err;
    }
    w.state = "released";
    clearDraft(localStorage, session.user?.id, w.task.id, w.node.id);
    this.forget(claimId);
  }

  /** Claims the same task again after losing it; the draft (kept per task and node) carries over. */
  async reclaim(claimId: string): Promise<WorkItem> {
    const w = this.items[claimId];
    if (!w) throw new Error("This claim is not open in this tab.");
    const next = await this.claim(w.projectId, w.node.id, w.task.id);
    this.forget(claimId);
    return next;
  }

  markLost(claimId: string, message: string) {
    const w = this.items[claimId];
    if (!w || w.state !== "active") return;
    w.state = "lost";
    w.message = message;
    this.persist(claimId);
  }

  private persist(claimId: string) {
    const w = this.items[claimId];
    if (!w) return;
    try {
      sessionStorage.setItem(storeKey(claimId), JSON.stringify(w));
    } catch {
      // private mode: the claim still works in this page
    }
  }

  private forget(claimId: string) {
    sessionStorage.removeItem(storeKey(claimId));
  }

  /** The session ended: what its claims showed stays with it (session.svelte.ts clears the stored copies). */
  forgetAll() {
    this.items = {};
  }
}

export const work = new WorkStore();
session.onEnd(() => work.forgetAll());
