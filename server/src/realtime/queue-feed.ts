// Live queue counts for `project:<id>:queue` rooms. A change only marks the
// project dirty; the coalesced flush reads every node's current counts and sends
// the nodes that differ from what this instance last sent — a node that requires
// a contributor type only to inspectors and contributors of that type (inner
// rooms `<room>~all`, `<room>~t:<typeId>`). Snapshots for new subscribers run in
// the same serial line as flushes, so a socket never gets an older reading after
// a newer one.
import type { Deps } from "../deps";
import { rooms, type QueueChanged } from "../shared/socket-events";
import type { NodeState } from "./queue-counts";
import { Coalescer, Serial } from "./coalesce";
import type { Emitter } from "./emitter";
import type { AppSocket } from "./types";

export type QueueCountReader = (deps: Deps, projectId: string) => Promise<NodeState[]>;

/** The rooms that may see a node: everyone in the queue room, or its type's audience. */
const audienceOf = (room: string, typeId: string | null) => (typeId ? [`${room}~all`, `${room}~t:${typeId}`] : [room]);

function visibleTo(socket: AppSocket, room: string, typeId: string | null): boolean {
  const inner = socket.data.inner.get(room) ?? "";
  return !typeId || inner === `${room}~all` || inner === `${room}~t:${typeId}`;
}

export class QueueFeed {
  private readonly serial = new Serial();
  private readonly coalescer: Coalescer;
  /** Per project: node → "available/claimed" as last sent to this instance's room. */
  private readonly last = new Map<string, Map<string, string>>();

  constructor(
    private readonly deps: Deps,
    private readonly emitter: Emitter,
    private readonly read: QueueCountReader,
    intervalMs: number,
  ) {
    this.coalescer = new Coalescer(
      intervalMs,
      (projects) => this.serial.run(() => this.flush(projects)),
      (err) => deps.log.warn({ err }, "queue counts flush failed"),
    );
  }

  mark(projectId: string): void {
    this.coalescer.mark(projectId);
  }

  /** Projects with a watcher on this instance. */
  watched(): string[] {
    return [...this.last.keys()].filter((p) => this.emitter.localCount(rooms.queue(p)) > 0);
  }

  /** The current counts of every node, to one socket that just (re)subscribed. */
  snapshot(socket: AppSocket, projectId: string): Promise<void> {
    return this.serial.run(async () => {
      const room = rooms.queue(projectId);
      const nodes = await this.read(this.deps, projectId);
      const sent = this.last.get(projectId) ?? new Map<string, string>();
      this.last.set(projectId, sent);
      const alone = this.emitter.localCount(room) <= 1;
      for (const { count: c, typeId } of nodes) {
        if (!visibleTo(socket, room, typeId)) continue;
        this.emitter.toSocket(socket, "queue:changed", c);
        // Alone in the room, this socket's values are the room's; otherwise the
        // others may hold an older value than this socket now has: resend to all next time.
        if (alone) sent.set(c.nodeId, key(c));
        else if (sent.get(c.nodeId) !== key(c)) sent.delete(c.nodeId);
      }
    });
  }

  private async flush(projects: Set<string>): Promise<void> {
    for (const projectId of projects) {
      const room = rooms.queue(projectId);
      if (this.emitter.localCount(room) === 0) {
        this.last.delete(projectId);
        continue;
      }
      // One project's failed read must not hold back the others of this flush; its
      // watchers catch up at its next change or the periodic resync.
      const nodes = await this.read(this.deps, projectId).catch((err) => {
        this.deps.log.warn({ err, projectId }, "reading a project's queue counts failed");
        return null;
      });
      if (!nodes) continue;
      const sent = this.last.get(projectId) ?? new Map<string, string>();
      this.last.set(projectId, sent);
      for (const { count: c, typeId } of nodes) {
        if (sent.get(c.nodeId) === key(c)) continue;
        sent.set(c.nodeId, key(c));
        const audience = audienceOf(room, typeId);
        this.emitter.toLocalRoom(audience, "queue:changed", c, `${audience.join(" ")}#${c.nodeId}`);
      }
    }
  }

  stop(): Promise<void> {
    return this.coalescer.stop();
  }
}

const key = (c: QueueChanged) => `${c.available}/${c.claimed}`;
