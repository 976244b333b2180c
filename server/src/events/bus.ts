// Domain events leave only after the transaction that caused them commits:
// commands return their events, the caller commits, then calls publish().
import { EventEmitter } from "node:events";

export interface TaskRef {
  orgId: string;
  projectId: string;
  pipelineId: string;
  nodeId: string;
  taskId: string;
}

export type DomainEvent =
  | ({ type: "task.queued" } & Omit<TaskRef, "taskId"> & { taskIds: string[] })
  | ({ type: "task.claimed" } & TaskRef & { claimId: string; userId: string; expiresAt: string })
  | ({ type: "task.released" } & TaskRef & { claimId: string; userId: string; reason: "released" | "expired" | "revoked" })
  | ({ type: "task.submitted" } & TaskRef & { claimId: string; userId: string; submissionId: string })
  | ({ type: "task.reviewed" } & TaskRef & { claimId: string; userId: string; reviewId: string; verdict: "pass" | "return"; authorId: string; keptForAuthor: boolean })
  | ({ type: "task.moved" } & TaskRef & { fromNodeId: string })
  | ({ type: "claim.expiring" } & TaskRef & { claimId: string; userId: string; expiresAt: string })
  | ({ type: "task.completed" } & TaskRef)
  /** An Owner changed the task (PATCH /api/tasks/:taskId); `userId` acted. */
  | ({ type: "task.updated" } & TaskRef & { userId: string; changes: Array<"priority" | "assignment" | "cancelled" | "reopened"> })
  | { type: "project.changed"; orgId: string; projectId: string }
  | { type: "org.people_changed"; orgId: string; userId: string }
  /** Every login token of this person older than `sessionVersion` stopped working (password changed or reset, signed out everywhere). */
  | { type: "user.sessions_ended"; userId: string; sessionVersion: number }
  | { type: "notification.created"; userId: string; orgId: string | null; notification: NotificationView }
  /** Some of a person's notifications were read (`ids`, or every one in scope: null); `unreadCount` over all their orgs, up to `countedUpTo`. */
  | { type: "notification.read"; userId: string; ids: string[] | null; unreadCount: number; countedUpTo: string | null };

export interface NotificationView {
  id: string;
  type: string;
  title: string;
  body: string;
  link: string;
  createdAt: string;
  updatedAt: string;
  count: number;
  readAt: string | null;
}

export type DomainEventOf<T extends DomainEvent["type"]> = Extract<DomainEvent, { type: T }>;

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  /** Call only after the write that produced these events has committed. */
  publish(events: DomainEvent | DomainEvent[]): void {
    for (const e of Array.isArray(events) ? events : [events]) {
      this.emitter.emit(e.type, e);
      this.emitter.emit("*", e);
    }
  }

  on<T extends DomainEvent["type"]>(type: T, fn: (e: DomainEventOf<T>) => void): () => void {
    const h = (e: DomainEventOf<T>) => {
      try {
        fn(e);
      } catch {
        // a listener's failure must not break the command that published
      }
    };
    this.emitter.on(type, h);
    return () => this.emitter.off(type, h);
  }

  onAny(fn: (e: DomainEvent) => void): () => void {
    this.emitter.on("*", fn);
    return () => this.emitter.off("*", fn);
  }
}
