// Live dashboard counters for `org:<id>:dashboard` and `project:<id>:dashboard`.
// Events only mark a room dirty; at most once per interval per room the flush
// asks dashboardCounters() (the dashboard module decides the numbers and how to
// read them cheaply) for each timeframe watched on this instance, and sends the
// ones that changed. Each subscriber also sits in `<room>@<timeframe>`.
import type { Deps } from "../deps";
import { dashboardCounters, type Timeframe } from "../modules/dashboard/counters";
import type { DashboardCounters } from "../shared/socket-events";
import { TIMEFRAMES } from "../shared/socket-events";
import { Coalescer, Serial } from "./coalesce";
import type { Emitter } from "./emitter";
import type { AppSocket } from "./types";

export const timeframeRoom = (room: string, tf: Timeframe) => `${room}@${tf}`;

export function parseDashboardRoom(room: string): { scope: "org" | "project"; id: string } | null {
  const m = /^(org|project):([^:@]+):dashboard$/.exec(room);
  return m ? { scope: m[1] as "org" | "project", id: m[2]! } : null;
}

export class DashboardFeed {
  private readonly serial = new Serial();
  private readonly coalescer: Coalescer;
  /** `<room>@<timeframe>` → counters as last sent there. */
  private readonly last = new Map<string, string>();

  constructor(
    private readonly deps: Deps,
    private readonly emitter: Emitter,
    intervalMs: number,
  ) {
    this.coalescer = new Coalescer(
      intervalMs,
      (keys) => this.serial.run(() => this.flush(keys)),
      (err) => deps.log.warn({ err }, "dashboard counters flush failed"),
    );
  }

  mark(room: string): void {
    this.coalescer.mark(room);
  }

  /** Dashboard rooms with a watcher on this instance. */
  watched(): string[] {
    return [...new Set([...this.last.keys()].map((k) => k.split("@")[0]!))];
  }

  snapshot(socket: AppSocket, room: string, tf: Timeframe): Promise<void> {
    return this.serial.run(async () => {
      const payload = await this.read(room, tf);
      this.emitter.toSocket(socket, "dashboard:counters", payload);
      const k = timeframeRoom(room, tf);
      if (this.emitter.localCount(k) <= 1) this.last.set(k, JSON.stringify(payload.counters));
      else if (this.last.get(k) !== JSON.stringify(payload.counters)) this.last.delete(k);
      if (!this.last.has(k)) this.last.set(k, "");
    });
  }

  private async flush(dirty: Set<string>): Promise<void> {
    for (const room of dirty) {
      for (const tf of TIMEFRAMES) {
        const k = timeframeRoom(room, tf);
        if (this.emitter.localCount(k) === 0) {
          this.last.delete(k);
          continue;
        }
        // One room's failed read must not hold back the others (as in queue-feed.ts).
        const payload = await this.read(room, tf).catch((err) => {
          this.deps.log.warn({ err, room }, "reading a dashboard's counters failed");
          return null;
        });
        if (!payload) continue;
        const json = JSON.stringify(payload.counters);
        if (this.last.get(k) === json) continue;
        this.last.set(k, json);
        this.emitter.toLocalRoom(k, "dashboard:counters", payload, k);
      }
    }
  }

  private async read(room: string, timeframe: Timeframe): Promise<DashboardCounters> {
    const r = parseDashboardRoom(room)!;
    const counters = await dashboardCounters(this.deps, r.scope, r.id, timeframe);
    return { scope: r.scope, id: r.id, timeframe, counters: { ...counters } };
  }

  stop(): Promise<void> {
    return this.coalescer.stop();
  }
}
