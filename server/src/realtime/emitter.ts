// The one place that sends server→client events, typed by the shared map.
// Personal events go to `user:<id>` through the Redis adapter (every instance
// delivers to its own sockets of that user); state events (queue counts,
// dashboard counters) are read by each instance and sent only to its own sockets.
import { Counter, type Registry } from "prom-client";
import { rooms, type ServerToClientEvents } from "../shared/socket-events";
import type { AppSocket, IO } from "./types";

type Event = keyof ServerToClientEvents;
type Payload<E extends Event> = Parameters<ServerToClientEvents[E]>[0];

/**
 * A room broadcast writes to every socket in one synchronous run: 5,000 sockets
 * held the event loop for tens of ms (P3's loop lag). Larger audiences are sent
 * in slices of this many sockets, one slice per turn of the loop, so requests
 * and timers run in between. Sends queue behind unfinished slices, which keeps
 * each socket's events in order.
 */
export const BROADCAST_SLICE = 500;

export class Emitter {
  private readonly sent: Counter<"event" | "scope">;
  private readonly pending: Array<() => void> = [];
  private draining = false;

  constructor(
    private readonly io: IO,
    registry?: Registry,
    private readonly slice = BROADCAST_SLICE,
  ) {
    this.sent = new Counter({
      name: "pipelines_realtime_emits_total",
      help: "Socket.IO emits by event and scope (user: through the adapter; local: this instance's sockets)",
      labelNames: ["event", "scope"],
      registers: registry ? [registry] : [],
    });
  }

  /** To every socket of a user, on every instance. */
  toUser<E extends Event>(userId: string, event: E, payload: Payload<E>): void {
    this.sent.inc({ event, scope: "user" });
    (this.io.to(rooms.user(userId)).emit as (e: E, p: Payload<E>) => boolean)(event, payload);
  }

  /** To this instance's sockets in a room or rooms, each socket once (state other instances read for themselves). */
  toLocalRoom<E extends Event>(room: string | string[], event: E, payload: Payload<E>): void {
    this.sent.inc({ event, scope: "local" });
    const names = Array.isArray(room) ? room : [room];
    const byRoom = this.io.of("/").adapter.rooms;
    let audience = 0;
    for (const n of names) audience += byRoom.get(n)?.size ?? 0;
    if (audience <= this.slice && !this.pending.length) return this.emitLocal(names, event, payload);
    // Sockets that join later get their own snapshot; those that leave meanwhile are skipped.
    const ids = new Set<string>();
    for (const n of names) for (const id of byRoom.get(n) ?? []) ids.add(id);
    const all = [...ids];
    const slices: Array<() => void> = [];
    for (let i = 0; i < all.length; i += this.slice) {
      const part = all.slice(i, i + this.slice);
      slices.push(() => {
        const still = part.filter((id) => names.some((n) => byRoom.get(n)?.has(id)));
        if (still.length) this.emitLocal(still, event, payload);
      });
    }
    this.enqueue(slices);
  }

  toSocket<E extends Event>(socket: AppSocket, event: E, payload: Payload<E>): void {
    this.sent.inc({ event, scope: "socket" });
    const send = () => (socket.emit as (e: E, p: Payload<E>) => boolean)(event, payload);
    // Behind a broadcast still being sent, so an older value cannot arrive after this one.
    if (this.pending.length) this.enqueue([send]);
    else send();
  }

  /** Encoded once for the whole list of rooms (a socket's id is a room of its own). */
  private emitLocal<E extends Event>(rooms: string[], event: E, payload: Payload<E>): void {
    (this.io.local.to(rooms).emit as (e: E, p: Payload<E>) => boolean)(event, payload);
  }

  private enqueue(sends: Array<() => void>): void {
    this.pending.push(...sends);
    if (this.draining) return;
    this.draining = true;
    const step = () => {
      try {
        this.pending.shift()?.();
      } catch {
        // a socket that broke mid-send is dropped by Socket.IO itself
      }
      if (this.pending.length) setImmediate(step);
      else this.draining = false;
    };
    step();
  }

  /** Sockets of this instance in a room (0 when nobody here watches it). */
  localCount(room: string): number {
    return this.io.of("/").adapter.rooms.get(room)?.size ?? 0;
  }
}
