// A real Socket.IO client for tests: records every server event so a test can
// wait for the one it expects (with a timeout, never a fixed sleep).
import { io, type Socket } from "socket.io-client";
import type { Ack, ClientToServerEvents, ServerToClientEvents, Timeframe } from "../../server/src/shared/socket-events";

type Event = keyof ServerToClientEvents;
type Payload<E extends Event> = Parameters<ServerToClientEvents[E]>[0];
type Seen = { event: string; payload: any };

export class LiveClient {
  readonly seen: Seen[] = [];
  private waiters = new Set<() => void>();

  constructor(readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>) {
    socket.onAny((event: string, payload: unknown) => this.record({ event, payload }));
    socket.on("disconnect", (reason) => this.record({ event: "disconnect", payload: reason }));
    socket.on("connect", () => this.record({ event: "connect", payload: null }));
  }

  private record(s: Seen) {
    this.seen.push(s);
    for (const w of [...this.waiters]) w();
  }

  /** The first event of this kind (already received or still to come) that matches. */
  waitFor<E extends Event | "disconnect" | "connect">(
    event: E,
    match: (p: E extends Event ? Payload<E> : any) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<E extends Event ? Payload<E> : any> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.seen.find((s) => s.event === event && match(s.payload));
        if (!hit) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(hit.payload);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const got = this.seen.filter((s) => s.event === event).map((s) => JSON.stringify(s.payload));
        reject(new Error(`no matching "${event}" within ${timeoutMs} ms; got: ${got.join(", ") || "nothing"}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  /** Forget what was received so far (the next waitFor only sees newer events). */
  clear(): void {
    this.seen.length = 0;
  }

  of<E extends Event>(event: E): Payload<E>[] {
    return this.seen.filter((s) => s.event === event).map((s) => s.payload);
  }

  subscribe(room: string, timeframe?: Timeframe): Promise<Ack> {
    return this.socket.timeout(5_000).emitWithAck("subscribe", timeframe ? { room, timeframe } : { room }) as Promise<Ack>;
  }

  unsubscribe(room: string): Promise<Ack> {
    return this.socket.timeout(5_000).emitWithAck("unsubscribe", { room }) as Promise<Ack>;
  }

  close(): void {
    this.socket.disconnect();
  }
}

export interface ConnectOptions {
  reconnection?: boolean;
  headers?: Record<string, string>;
  auth?: Record<string, unknown>;
}

function create(url: string, token: string | undefined, opts: ConnectOptions = {}) {
  return io(url, {
    auth: opts.auth ?? (token ? { token } : {}),
    transports: ["websocket"],
    reconnection: opts.reconnection ?? false,
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
    forceNew: true,
    extraHeaders: opts.headers,
  }) as Socket<ServerToClientEvents, ClientToServerEvents>;
}

/** Connects and resolves once the server accepted the handshake. */
export function connect(url: string, token: string | undefined, opts: ConnectOptions = {}): Promise<LiveClient> {
  const socket = create(url, token, opts);
  const client = new LiveClient(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(client));
    socket.once("connect_error", (err) => {
      socket.disconnect();
      reject(err);
    });
  });
}

/** Connects expecting a refusal; resolves with the connect_error. */
export function refused(url: string, token: string | undefined, opts: ConnectOptions = {}): Promise<Error & { data?: any }> {
  const socket = create(url, token, opts);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => {
      socket.disconnect();
      reject(new Error("the server accepted a connection it should refuse"));
    });
    socket.once("connect_error", (err) => {
      socket.disconnect();
      resolve(err as Error & { data?: any });
    });
  });
}
