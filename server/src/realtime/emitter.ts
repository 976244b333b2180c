// The one place that sends server→client events, typed by the shared map.
// Personal events go to `user:<id>` through the Redis adapter (every instance
// delivers to its own sockets of that user); state events (queue counts,
// dashboard counters) are read by each instance and sent only to its own sockets.
import { Counter, type Registry } from "prom-client";
import { rooms, type ServerToClientEvents } from "../shared/socket-events";
import type { AppSocket, IO } from "./types";

type Event = keyof ServerToClientEvents;
type Payload<E extends Event> = Parameters<ServerToClientEvents[E]>[0];

export class Emitter {
  private readonly sent: Counter<"event" | "scope">;

  constructor(
    private readonly io: IO,
    registry?: Registry,
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
    (this.io.local.to(room).emit as (e: E, p: Payload<E>) => boolean)(event, payload);
  }

  toSocket<E extends Event>(socket: AppSocket, event: E, payload: Payload<E>): void {
    this.sent.inc({ event, scope: "socket" });
    (socket.emit as (e: E, p: Payload<E>) => boolean)(event, payload);
  }

  /** Sockets of this instance in a room (0 when nobody here watches it). */
  localCount(room: string): number {
    return this.io.of("/").adapter.rooms.get(room)?.size ?? 0;
  }
}
