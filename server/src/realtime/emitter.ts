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
 * Where an API key's socket hears its maker's personal events instead of
 * `user:<id>`: a key is limited to its org, so only that org's events reach it.
 */
export const keyUserRoom = (userId: string, orgId: string) => `${rooms.user(userId)}@${orgId}`;

/**
 * A room broadcast writes to every socket in one synchronous run: 5,000 sockets
 * held the event loop for over 100 ms (P3's loop lag). Larger audiences are sent
 * in slices of this many sockets, as many slices per turn of the loop as fit in
 * BROADCAST_TURN_MS, so requests and timers run in between. Sends queue behind
 * unfinished slices, which keeps each socket's events in order.
 */
export const BROADCAST_SLICE = 250;
export const BROADCAST_TURN_MS = 15;

/** A state broadcast going out: superseded once a newer value of the state is queued. */
interface Broadcast {
  cancelled: boolean;
  /** Sockets it has not reached yet. */
  unsent: Set<string>;
}

/** A queued send; `of` is the state broadcast it belongs to, when it may be superseded. */
interface Job {
  send: () => void;
  of?: Broadcast;
}

export class Emitter {
  private readonly sent: Counter<"event" | "scope">;
  private readonly pending: Job[] = [];
  /** State key → the broadcast of it still going out. */
  private readonly sending = new Map<string, Broadcast>();
  private draining = false;

  constructor(
    private readonly io: IO,
    registry?: Registry,
    private readonly slice = BROADCAST_SLICE,
    private readonly turnMs = BROADCAST_TURN_MS,
  ) {
    this.sent = new Counter({
      name: "pipelines_realtime_emits_total",
      help: "Socket.IO emits by event and scope (user, room: through the adapter; local: this instance's sockets)",
      labelNames: ["event", "scope"],
      registers: registry ? [registry] : [],
    });
  }

  /**
   * To every socket of a user, on every instance: their login sockets, and their
   * API keys' sockets when the event is of that key's org (`orgId`).
   */
  toUser<E extends Event>(userId: string, orgId: string | null, event: E, payload: Payload<E>): void {
    this.sent.inc({ event, scope: "user" });
    const to = orgId ? [rooms.user(userId), keyUserRoom(userId, orgId)] : rooms.user(userId);
    (this.io.to(to).emit as (e: E, p: Payload<E>) => boolean)(event, payload);
  }

  /** To every socket in a room, on every instance (rare events only: it is not sliced). */
  toRoom<E extends Event>(room: string, event: E, payload: Payload<E>): void {
    this.sent.inc({ event, scope: "room" });
    (this.io.to(room).emit as (e: E, p: Payload<E>) => boolean)(event, payload);
  }

  /**
   * To this instance's sockets in a room or rooms, each socket once (state other
   * instances read for themselves). With a `state` key the payload is the whole
   * current value of that state: a newer value cancels the unsent slices of an
   * older one, since every socket still in the rooms gets the newer one anyway.
   */
  toLocalRoom<E extends Event>(room: string | string[], event: E, payload: Payload<E>, state?: string): void {
    this.sent.inc({ event, scope: "local" });
    const names = Array.isArray(room) ? room : [room];
    const byRoom = this.io.of("/").adapter.rooms;
    let audience = 0;
    for (const n of names) audience += byRoom.get(n)?.size ?? 0;
    if (audience <= this.slice && !this.pending.length) return this.emitLocal(names, event, payload);
    const older = state ? this.sending.get(state) : undefined;
    if (older) older.cancelled = true;
    // The sockets an older value had not reached go first: on a loaded machine a push
    // can outlast the flush interval, and a newer value restarting at the head of the
    // room each time would leave its tail without any value (P3 saw 5 s).
    // Sockets that join later get their own snapshot; those that leave meanwhile are skipped.
    const ids = new Set<string>(older?.unsent);
    for (const n of names) for (const id of byRoom.get(n) ?? []) ids.add(id);
    const of: Broadcast = { cancelled: false, unsent: ids };
    if (state) this.sending.set(state, of);
    const all = [...ids];
    const jobs: Job[] = [];
    for (let i = 0; i < all.length; i += this.slice) {
      const part = all.slice(i, i + this.slice);
      jobs.push({
        of,
        send: () => {
          for (const id of part) of.unsent.delete(id);
          const still = part.filter((id) => names.some((n) => byRoom.get(n)?.has(id)));
          if (still.length) this.emitLocal(still, event, payload);
        },
      });
    }
    // Skipped with the slices once superseded, so a cancelled broadcast costs no turn.
    if (state) jobs.push({ of, send: () => this.sending.get(state) === of && this.sending.delete(state) });
    this.enqueue(jobs);
  }

  toSocket<E extends Event>(socket: AppSocket, event: E, payload: Payload<E>): void {
    this.sent.inc({ event, scope: "socket" });
    const send = () => (socket.emit as (e: E, p: Payload<E>) => boolean)(event, payload);
    // Behind a broadcast still being sent, so an older value cannot arrive after this one.
    if (this.pending.length) this.enqueue([{ send }]);
    else send();
  }

  /** Encoded once for the whole list of rooms (a socket's id is a room of its own). */
  private emitLocal<E extends Event>(rooms: string[], event: E, payload: Payload<E>): void {
    (this.io.local.to(rooms).emit as (e: E, p: Payload<E>) => boolean)(event, payload);
  }

  private enqueue(jobs: Job[]): void {
    this.pending.push(...jobs);
    if (this.draining) return;
    this.draining = true;
    const turn = () => {
      const until = performance.now() + this.turnMs;
      while (this.pending.length) {
        const job = this.pending.shift()!;
        if (job.of?.cancelled) continue;
        try {
          job.send();
        } catch {
          // a socket that broke mid-send is dropped by Socket.IO itself
        }
        if (performance.now() >= until) break;
      }
      if (this.pending.length) setImmediate(turn);
      else this.draining = false;
    };
    turn();
  }

  /** Sockets of this instance in a room (0 when nobody here watches it). */
  localCount(room: string): number {
    return this.io.of("/").adapter.rooms.get(room)?.size ?? 0;
  }
}
