// The state feeds of one instance, created with the socket server so that
// subscribe snapshots and the coalesced flushes share one serial line per feed.
import type { Registry } from "prom-client";
import type { Deps } from "../deps";
import { DashboardFeed } from "./dashboard-feed";
import { Emitter } from "./emitter";
import { QueueFeed } from "./queue-feed";
import { readQueueCounts } from "./queue-counts";
import type { IO, RealtimeOptions } from "./types";

export interface Feeds {
  emitter: Emitter;
  queue: QueueFeed;
  dashboard: DashboardFeed;
}

export function createFeeds(deps: Deps, io: IO, opts: Required<RealtimeOptions>, registry?: Registry): Feeds {
  const emitter = new Emitter(io, registry, opts.broadcastSlice, opts.broadcastTurnMs);
  return {
    emitter,
    queue: new QueueFeed(deps, emitter, readQueueCounts, opts.queueFlushMs),
    dashboard: new DashboardFeed(deps, emitter, opts.dashboardFlushMs),
  };
}
