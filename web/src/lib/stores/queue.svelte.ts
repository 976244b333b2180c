// The contributor's queues, per project: one GET for the picture (nodes I may
// work, what is available to me, my claims, why I cannot claim), then
// `queue:changed` from the project's queue room to keep counts live (the server
// also sends the room's state on every (re)subscribe). An event moves the count
// at once; the picture is read again at most every ~10 s while events keep
// coming (a room of thousands must not turn each change into thousands of GETs),
// and at once after my own claim, release or submit. The server pushes nothing
// when my work schedule opens or closes, so a watched project is also read again
// at the next `opensAt` / `closesAt` its answer names.
import { api } from "../api/client";
import type { QueueItem } from "../api/types";
import { realtime } from "../socket.svelte";

export interface ProjectQueue {
  items: QueueItem[];
  loading: boolean;
  error: string | null;
  /** Bumped by each live change, so the page can show a quiet "updated" pulse. */
  version: number;
  /** The type I work as here (null: none), and the claims I may hold at once; unknown before the first read. */
  contributorType?: { id: string; name: string } | null;
  claimLimit?: number;
}

interface QueueAnswer {
  items: QueueItem[];
  contributorType?: { id: string; name: string } | null;
  claimLimit?: number;
}

/** The fewest milliseconds between two reads of a project's picture caused by events. */
const RELOAD_EVERY_MS = 10_000;
/** setTimeout's longest wait (~24.8 days); a later edge is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** An edge the server still names after ours passed (its clock behind ours): ask again after this. */
const EDGE_RETRY_MS = 5_000;
/** Spread over this, the watchers of one schedule do not all read at the same instant. */
const EDGE_JITTER_MS = 2_000;

/** The soonest schedule edge (opening or closing) the queue answer names, in ms, or null. */
export function nextEdge(items: QueueItem[]): number | null {
  let soonest: number | null = null;
  for (const i of items) {
    for (const iso of [i.opensAt, i.closesAt]) {
      const t = iso ? Date.parse(iso) : NaN;
      if (Number.isFinite(t) && (soonest === null || t < soonest)) soonest = t;
    }
  }
  return soonest;
}

class QueueStore {
  projects = $state<Record<string, ProjectQueue>>({});
  private watchers = new Map<string, { count: number; stop: () => void }>();
  private reloadTimers = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();
  private loadedAt = new Map<string, number>();
  private edgeTimers = new Map<string, ReturnType<typeof setTimeout>>();

  of(projectId: string): ProjectQueue {
    return this.projects[projectId] ?? { items: [], loading: true, error: null, version: 0 };
  }

  async load(projectId: string) {
    this.projects[projectId] ??= { items: [], loading: true, error: null, version: 0 };
    // Read back: the stored value is the reactive proxy, not the literal assigned.
    const q = this.projects[projectId]!;
    this.loadedAt.set(projectId, Date.now());
    try {
      const r = await api.get<QueueAnswer>(`/api/projects/${projectId}/queue`);
      q.items = r.items;
      q.contributorType = r.contributorType;
      q.claimLimit = r.claimLimit;
      q.error = null;
      this.armEdge(projectId, nextEdge(r.items));
    } catch (err) {
      q.error = (err as Error).message;
    } finally {
      q.loading = false;
    }
  }

  /** Keeps a project's queue live while the returned function is not called. */
  watch(projectId: string): () => void {
    const w = this.watchers.get(projectId);
    if (w) w.count++;
    else {
      const offRoom = realtime.subscribe(`project:${projectId}:queue`);
      const offs = [
        realtime.on("queue:changed", (e) => {
          if (e.projectId === projectId) this.apply(projectId, e.nodeId, e.available);
        }),
        // Types, schedules, limits or roles changed: reasons and rights are mine to read again.
        realtime.on("queue:settings", (e) => {
          if (e.projectId === projectId) this.scheduleReload(projectId, 0);
        }),
        // Back online after a read failed (it fell while the connection was away): read again now,
        // not at the next burst of events; a read that did not fail waits for those as usual.
        realtime.onConnect(() => {
          if (this.projects[projectId]?.error) this.scheduleReload(projectId, 0);
        }),
      ];
      this.watchers.set(projectId, {
        count: 1,
        stop: () => {
          offRoom();
          for (const off of offs) off();
        },
      });
    }
    void this.load(projectId);
    return () => {
      const cur = this.watchers.get(projectId);
      if (!cur || --cur.count > 0) return;
      cur.stop();
      this.watchers.delete(projectId);
      clearTimeout(this.reloadTimers.get(projectId)?.timer);
      this.reloadTimers.delete(projectId);
      this.armEdge(projectId, null);
    };
  }

  /** One timer per watched project, for its next schedule edge; each read sets it again. */
  private armEdge(projectId: string, edge: number | null) {
    clearTimeout(this.edgeTimers.get(projectId));
    this.edgeTimers.delete(projectId);
    if (edge === null || !this.watchers.has(projectId)) return;
    const left = edge - Date.now();
    const wait = left > 0 ? left + Math.random() * EDGE_JITTER_MS : EDGE_RETRY_MS;
    this.edgeTimers.set(
      projectId,
      setTimeout(
        () => {
          this.edgeTimers.delete(projectId);
          if (!this.watchers.has(projectId)) return;
          if (Date.now() < edge) this.armEdge(projectId, edge); // a step towards a far edge
          else void this.load(projectId);
        },
        Math.min(wait, MAX_TIMER_MS),
      ),
    );
  }

  private apply(projectId: string, nodeId: string, available: number) {
    const q = this.projects[projectId];
    if (!q) return;
    const item = q.items.find((i) => i.nodeId === nodeId);
    if (item) {
      // The room's count is everyone's: tasks reserved for someone else, or my own
      // work waiting for review, are in it. The next read corrects it to mine.
      item.available = Math.max(0, available);
      if (item.available > 0 && item.reason === "queue_empty") {
        item.canClaim = true;
        item.reason = undefined;
      } else if (item.available === 0 && item.canClaim) {
        item.canClaim = false;
        item.reason = "queue_empty";
      }
    }
    q.version++;
    this.scheduleReload(projectId, item ? RELOAD_EVERY_MS : 0);
  }

  /**
   * A claim of mine ended elsewhere (expired, revoked): it leaves my claims at
   * once, and the project is read again for what I may claim now.
   */
  forgetClaim(claimId: string) {
    for (const [projectId, q] of Object.entries(this.projects)) {
      const item = q.items.find((i) => i.myClaims.some((c) => c.id === claimId));
      if (!item) continue;
      item.myClaims = item.myClaims.filter((c) => c.id !== claimId);
      this.scheduleReload(projectId, 0);
    }
  }

  /**
   * One read after a burst of events, not one per event; a node not yet known
   * is read at once. A sooner read replaces a later one already planned.
   */
  scheduleReload(projectId: string, every = RELOAD_EVERY_MS) {
    const since = Date.now() - (this.loadedAt.get(projectId) ?? 0);
    // A little jitter so that a room of watchers does not read in step.
    const wait = Math.max(0, every - since) + Math.random() * (every ? 2000 : 500);
    const planned = this.reloadTimers.get(projectId);
    if (planned && planned.at <= Date.now() + wait) return;
    if (planned) clearTimeout(planned.timer);
    this.reloadTimers.set(projectId, {
      at: Date.now() + wait,
      timer: setTimeout(() => {
        this.reloadTimers.delete(projectId);
        if (this.watchers.has(projectId)) void this.load(projectId);
      }, wait),
    });
  }
}

export const queue = new QueueStore();
