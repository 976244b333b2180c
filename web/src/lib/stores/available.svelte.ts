// The tasks I could claim now at one node (GET …/queue/:nodeId/tasks), for the
// Browse page. It stays live on the queue room the queue store joins: a
// `queue:changed` for this node reads the list again, at most every ~10 s
// (jittered) while events keep coming, as the queue store reads its picture (a
// room of thousands must not turn each change into thousands of GETs); a claim
// of mine refused (the list was wrong) or `queue:settings` read it at once.
import { api, errorMessage } from "../api/client";
import type { AvailableTask, Page } from "../api/types";
import { realtime } from "../socket.svelte";
import { queue } from "./queue.svelte";

const PAGE = 50;
/** The route's largest page: a re-read keeps what "Show more" showed, up to this. */
const MAX_PAGE = 100;
export const RELOAD_EVERY_MS = 10_000;

export class AvailableTasks {
  items = $state<AvailableTask[]>([]);
  nextCursor = $state<string | null>(null);
  loading = $state(true);
  error = $state<string | null>(null);
  /** Each read takes a number: an answer older than the latest read is dropped. */
  private seq = 0;
  private loadedAt = 0;
  private reload: { at: number; timer: ReturnType<typeof setTimeout> } | null = null;
  private watching = false;

  constructor(
    readonly projectId: string,
    readonly nodeId: string,
  ) {}

  private get path() {
    return `/api/projects/${encodeURIComponent(this.projectId)}/queue/${encodeURIComponent(this.nodeId)}/tasks`;
  }

  /** The first page again, as long as what is shown. */
  async load() {
    const seq = ++this.seq;
    this.loadedAt = Date.now();
    try {
      const r = await api.get<Page<AvailableTask>>(this.path, { limit: Math.min(MAX_PAGE, Math.max(PAGE, this.items.length)) });
      if (seq !== this.seq) return;
      this.items = r.items;
      this.nextCursor = r.nextCursor;
      this.error = null;
    } catch (err) {
      if (seq === this.seq) this.error = errorMessage(err);
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  async more() {
    const cursor = this.nextCursor;
    if (!cursor) return;
    const seq = ++this.seq;
    this.loading = true;
    try {
      const r = await api.get<Page<AvailableTask>>(this.path, { limit: PAGE, cursor });
      if (seq !== this.seq) return;
      const seen = new Set(this.items.map((t) => t.id));
      this.items = [...this.items, ...r.items.filter((t) => !seen.has(t.id))];
      this.nextCursor = r.nextCursor;
      this.error = null;
    } catch (err) {
      if (seq === this.seq) this.error = errorMessage(err);
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  /** Keeps the list (and the project's queue picture) live until the returned function is called. */
  watch(): () => void {
    this.watching = true;
    const offQueue = queue.watch(this.projectId);
    const offs = [
      realtime.on("queue:changed", (e) => {
        if (e.projectId === this.projectId && e.nodeId === this.nodeId) this.scheduleReload();
      }),
      realtime.on("queue:settings", (e) => {
        if (e.projectId === this.projectId) this.scheduleReload(0);
      }),
    ];
    void this.load();
    return () => {
      this.watching = false;
      offQueue();
      for (const off of offs) off();
      if (this.reload) clearTimeout(this.reload.timer);
      this.reload = null;
    };
  }

  /** One read after a burst of events; a sooner read replaces a later one already planned. */
  scheduleReload(every = RELOAD_EVERY_MS) {
    const since = Date.now() - this.loadedAt;
    const wait = Math.max(0, every - since) + Math.random() * (every ? 2000 : 500);
    if (this.reload && this.reload.at <= Date.now() + wait) return;
    if (this.reload) clearTimeout(this.reload.timer);
    this.reload = {
      at: Date.now() + wait,
      timer: setTimeout(() => {
        this.reload = null;
        if (this.watching) void this.load();
      }, wait),
    };
  }
}
