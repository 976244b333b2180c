// One Socket.IO connection per signed-in tab, typed by the server's event map.
// Rooms are reference-counted so two components watching the same queue share
// one subscription, and every room is subscribed again after a reconnect (the
// server forgets rooms with the socket; it answers each subscribe with the
// room's current state, so nothing is missed across a reconnect).
// A handshake the server refuses (too many connections, a backing service
// down, a token it no longer takes) is not retried by socket.io: we retry it,
// backing off, and say why live updates are off. A live connection that drops
// (server gone, network lost) is said to be offline once the drop lasts, and
// "back online" for a moment when it returns (the views then read again).
import { io, type Socket } from "socket.io-client";
import type { Ack, ClientToServerEvents, ServerToClientEvents, SubscribeRequest } from "$shared/socket-events";

type Events = { [K in keyof ServerToClientEvents]: Parameters<ServerToClientEvents[K]>[0] };
type Handler<E extends keyof Events> = (payload: Events[E]) => void;
const EVENTS: (keyof Events)[] = [
  "queue:changed", "queue:settings", "claim:expiring", "claim:expired", "claim:revoked", "notification", "notifications:read", "dashboard:counters",
  "room:left", "session:expired",
];

export const TOO_MANY_CONNECTIONS = "Too many open tabs or clients: close some to get live updates.";
export const OFFLINE = "Offline — reconnecting… Changes will appear when the connection is back.";
export const BACK_ONLINE = "Back online.";
/** A drop shorter than this is not told (a server restart: socket.io is back within 0.5–1.5 s). */
export const OFFLINE_AFTER_MS = 2_000;
/** How long "back online" stays. */
export const BACK_ONLINE_MS = 4_000;

/** The wait before the n-th retry of a refused handshake (n from 0): 2 s doubling up to 60 s, each cut by up to half at random. */
export function retryDelay(n: number, random = Math.random): number {
  const ms = Math.min(60_000, 2_000 * 2 ** Math.min(n, 10));
  return Math.round(ms * (0.5 + random() / 2));
}

interface RoomState {
  count: number;
  req: SubscribeRequest;
}

class Realtime {
  status = $state<"offline" | "connecting" | "online">("offline");
  /** The last refusal of a subscribe, for the UI to show. */
  lastError = $state<string | null>(null);
  /** Why live updates are off, when the reason is worth telling (too many connections). */
  notice = $state<string | null>(null);
  /** "offline": a live connection dropped and is not back yet; "back": it just came back. */
  link = $state<"live" | "offline" | "back">("live");
  private linkTimer: ReturnType<typeof setTimeout> | undefined;
  /** Called when the server refuses the token: the app checks the session (a 401 signs out). */
  onUnauthenticated: (() => void) | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private rooms = new Map<string, RoomState>();
  private handlers = new Map<keyof Events, Set<(p: never) => void>>();
  private connectListeners = new Set<() => void>();

  connect(token: string) {
    this.disconnect();
    this.status = "connecting";
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ path: "/socket.io", auth: { token }, transports: ["websocket"] });
    this.socket = socket;
    let refusals = 0;
    socket.on("connect", () => {
      this.status = "online";
      this.notice = null;
      refusals = 0;
      clearTimeout(this.linkTimer);
      if (this.link === "offline") {
        this.link = "back";
        this.linkTimer = setTimeout(() => (this.link = "live"), BACK_ONLINE_MS);
      } else this.link = "live";
      for (const r of this.rooms.values()) this.emitSubscribe(r.req);
      for (const fn of this.connectListeners) fn();
    });
    socket.on("disconnect", (reason) => {
      if (this.socket !== socket) return;
      this.status = "connecting";
      clearTimeout(this.linkTimer);
      this.link = "live";
      // Ended by the server (a session that ended: session:expired has its own notice); socket.io does not reconnect.
      if (reason === "io server disconnect") return;
      this.linkTimer = setTimeout(() => {
        if (this.socket === socket && !socket.connected) this.link = "offline";
      }, OFFLINE_AFTER_MS);
    });
    socket.on("connect_error", (err) => {
      if (this.socket !== socket) return;
      this.status = "connecting";
      // A network failure: socket.io retries on its own (1 to 5 s apart).
      if (socket.active) return;
      // Refused by the server's handshake: socket.io gives up, so retry here.
      // The code is the server's (server/src/realtime/server.ts `refusal`): unauthenticated, too_many_connections, unavailable.
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      this.notice = code === "too_many_connections" ? TOO_MANY_CONNECTIONS : null;
      if (code === "unauthenticated") this.onUnauthenticated?.();
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        if (this.socket === socket && !socket.connected) socket.connect();
      }, retryDelay(refusals++));
    });
    socket.on("room:left", (e) => {
      this.rooms.delete(e.room);
    });
    for (const event of EVENTS) {
      (socket.on as (e: string, fn: (p: unknown) => void) => void)(event, (payload) => {
        for (const fn of this.handlers.get(event) ?? []) fn(payload as never);
      });
    }
  }

  disconnect() {
    clearTimeout(this.retryTimer);
    clearTimeout(this.linkTimer);
    this.notice = null;
    this.link = "live";
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.status = "offline";
  }

  on<E extends keyof Events>(event: E, fn: Handler<E>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(fn as (p: never) => void);
    return () => set!.delete(fn as (p: never) => void);
  }

  /**
   * After every connect, the first one too: for state that rooms do not resend, like the
   * inbox, whose events before the socket joined (or while it was away) were not pushed.
   */
  onConnect(fn: () => void): () => void {
    this.connectListeners.add(fn);
    return () => this.connectListeners.delete(fn);
  }

  /** Joins a room while the returned function is not called. */
  subscribe(room: string, extra: Omit<SubscribeRequest, "room"> = {}): () => void {
    const cur = this.rooms.get(room);
    if (cur) cur.count++;
    else {
      const r = { count: 1, req: { room, ...extra } };
      this.rooms.set(room, r);
      if (this.socket?.connected) this.emitSubscribe(r.req);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const r = this.rooms.get(room);
      if (!r) return;
      if (--r.count > 0) return;
      this.rooms.delete(room);
      if (this.socket?.connected) this.socket.emit("unsubscribe", { room }, () => {});
    };
  }

  /** Changes what a joined room is asked for (a dashboard's timeframe); the server sends the new state. */
  update(room: string, extra: Omit<SubscribeRequest, "room">) {
    const r = this.rooms.get(room);
    if (!r) return;
    r.req = { room, ...extra };
    if (this.socket?.connected) this.emitSubscribe(r.req);
  }

  private emitSubscribe(req: SubscribeRequest) {
    // Untyped here: socket.io's types drop the ack's shape once a timeout is added.
    (this.socket as Socket | null)?.timeout(10_000).emit("subscribe", req, (err: Error | null, ack?: Ack) => {
      if (err) return; // timed out: the next reconnect subscribes again
      if (ack && "error" in ack) this.lastError = ack.error.message;
    });
  }
}

export const realtime = new Realtime();

/** What the live notice says now: a refusal worth telling first, then a connection away or just back. */
export function liveNotice(): string {
  return realtime.notice ?? (realtime.link === "offline" ? OFFLINE : realtime.link === "back" ? BACK_ONLINE : "");
}
