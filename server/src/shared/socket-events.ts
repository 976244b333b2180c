// The Socket.IO contract, shared by the server and the web client
// (`$shared/socket-events`). Plain types and constants only.

export const TIMEFRAMES = ["24h", "7d", "30d", "90d", "all"] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export const NOTIFICATION_TYPES = ["review_ready", "reviews_waiting", "work_returned", "claim_expiring", "claim_expired"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Room names a client may subscribe to (`user:<id>` is joined on connect). */
export const rooms = {
  user: (userId: string) => `user:${userId}`,
  queue: (projectId: string) => `project:${projectId}:queue`,
  projectDashboard: (projectId: string) => `project:${projectId}:dashboard`,
  orgDashboard: (orgId: string) => `org:${orgId}:dashboard`,
};

/** A node's queue state. State, not a delta: the latest message is the truth. */
export interface QueueChanged {
  projectId: string;
  nodeId: string;
  available: number;
  claimed: number;
}

export interface ClaimRef {
  claimId: string;
  taskId: string;
  nodeId: string;
}

/**
 * A notification stored, or a digest grown (the same `id` again, with a higher `count`
 * and a later `updatedAt`; its `createdAt`, since when it is unread, stays): update the
 * one held rather than count it again.
 */
export interface NotificationPush {
  id: string;
  type: NotificationType;
  title: string;
  body: string;
  link: string;
  createdAt: string;
  updatedAt: string;
  count: number;
}

/**
 * Notifications of mine were read (in another tab, by an API key): `ids`, or with
 * null all of them — all of one org's when `unreadCount` is not 0, so read the
 * inbox again then. `unreadCount` is what is left unread, over all my orgs, counting
 * the notifications created up to `countedUpTo` (null: none yet); a later one was not counted.
 */
export interface NotificationsRead {
  ids: string[] | null;
  unreadCount: number;
  countedUpTo: string | null;
}

export interface DashboardCounters {
  scope: "org" | "project";
  id: string;
  timeframe: Timeframe;
  counters: { [name: string]: number | null };
}

/** The server stopped feeding a room (rights changed); resubscribe if they come back. */
export interface RoomLeft {
  room: string;
  code: string;
}

export interface ServerToClientEvents {
  "queue:changed": (e: QueueChanged) => void;
  "claim:expiring": (e: ClaimRef & { expiresAt: string }) => void;
  "claim:expired": (e: ClaimRef) => void;
  /** An admin took the claim back (revoked): its token is dead, the task is back in the queue. */
  "claim:revoked": (e: ClaimRef) => void;
  /**
   * To a queue room: the project's nodes, contributor types, schedules, limits or
   * team changed, so each client's own picture (reasons, what it may claim) is
   * read again; counts alone come as queue:changed.
   */
  "queue:settings": (e: { projectId: string }) => void;
  notification: (e: NotificationPush) => void;
  /** To the person's signed-in sockets only (an API key's socket does not hear it). */
  "notifications:read": (e: NotificationsRead) => void;
  "dashboard:counters": (e: DashboardCounters) => void;
  "room:left": (e: RoomLeft) => void;
  /** Sent just before the server disconnects a socket whose login token expired. */
  "session:expired": (e: { expiredAt: string }) => void;
}

export interface SubscribeRequest {
  room: string;
  /** Dashboard rooms only; default 7d. */
  timeframe?: Timeframe;
}

export type Ack = { ok: true } | { error: { code: string; message: string; details?: Record<string, unknown> } };

export interface ClientToServerEvents {
  /** Joins a room after the same access check as HTTP; the room's current state follows at once, before the ack. */
  subscribe: (req: SubscribeRequest, ack?: (r: Ack) => void) => void;
  unsubscribe: (req: { room: string }, ack?: (r: Ack) => void) => void;
}
