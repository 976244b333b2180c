import type { Server, Socket } from "socket.io";
import type { Actor } from "../access/actor";
import { BROADCAST_SLICE, BROADCAST_TURN_MS } from "./emitter";
import type { ClientToServerEvents, ServerToClientEvents } from "../shared/socket-events";

/** What one instance tells the others: which state changed (never the state itself). */
export interface Marks {
  /** Projects whose queue counts may have changed. */
  queues: string[];
  /** Dashboard rooms (`org:<id>:dashboard`, `project:<id>:dashboard`) whose counters may have changed. */
  dashboards: string[];
  /** Projects whose memberships changed: subscriptions there are checked again. */
  access: Array<{ projectId: string; orgId: string }>;
}

export interface InterServerEvents {
  "rt:marks": (m: Marks) => void;
  /** A person's sessions older than this version ended (realtime/sessions.ts). */
  "rt:sessions": (e: { userId: string; sessionVersion: number }) => void;
}

export interface SocketData {
  actor: Actor;
  /** Login token expiry in ms since the epoch; null for API keys. */
  expiresAt: number | null;
  /** The login token's session version; null for API keys (realtime/sessions.ts). */
  sessionVersion: number | null;
  /**
   * Public room → the inner room this socket also sits in, which decides what it
   * is sent: `<room>@<timeframe>` for dashboards, `<room>~<audience>` for queues.
   */
  inner: Map<string, string>;
}

export type IO = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeOptions {
  /** Queue counts: at most one push per room this often (ms). */
  queueFlushMs?: number;
  /** Dashboard counters: at most one push per room this often (ms). */
  dashboardFlushMs?: number;
  /** Every watched room is re-read this often, in case a change mark was lost (ms). */
  resyncMs?: number;
  /** How often sockets are checked for an expired login token (ms). */
  expirySweepMs?: number;
  /** Client events each socket may send per second, and the burst above that. */
  eventsPerSecond?: number;
  eventBurst?: number;
  /** Sockets one person's login may hold open on one instance; each API key may hold as many, counted apart. */
  socketsPerUser?: number;
  /** Room broadcasts larger than this go out in slices of it, as many per turn of the event loop as fit in broadcastTurnMs. */
  broadcastSlice?: number;
  broadcastTurnMs?: number;
}

export const REALTIME_DEFAULTS: Required<RealtimeOptions> = {
  queueFlushMs: 200,
  broadcastSlice: BROADCAST_SLICE,
  broadcastTurnMs: BROADCAST_TURN_MS,
  dashboardFlushMs: 500,
  resyncMs: 30_000,
  expirySweepMs: 1_000,
  eventsPerSecond: 10,
  eventBurst: 30,
  socketsPerUser: 50,
};
