// The dashboard on screen (org or project): the widgets from the API for the
// chosen timeframe, and the live counters from the dashboard room (subscribed
// with the timeframe; the server sends the current counters at once, then each
// change). Counters move at once; the widgets are fetched again at most every
// few seconds so the charts follow without a reload per event.
import { api } from "../api/client";
import type { Counters, Dashboard, Timeframe } from "../api/types";
import { realtime } from "../socket.svelte";

export const TIMEFRAMES: { value: Timeframe; label: string }[] = [
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
  { value: "all", label: "All time" },
];

// Widgets are re-read at most this often while changes stream (the counters move
// at once): within a second of the change, and one read per second at most.
const REFRESH_MS = 1000;
const TF_KEY = "pipelines.timeframe";

class DashboardStore {
  scope = $state<"org" | "project" | null>(null);
  id = $state<string | null>(null);
  timeframe = $state<Timeframe>(readTimeframe());
  data = $state<Dashboard | null>(null);
  counters = $state<Counters | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** When the last live change arrived (for a visible "live" pulse). */
  lastLiveAt = $state<number | null>(null);
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private room: string | null = null;
  private lastLoad = 0;
  /** When the shown widgets were asked for, and when the shown counters arrived. */
  private dataAskedAt = 0;
  private countersAt = 0;
  private seq = 0;

  private get path() {
    return this.scope === "org" ? `/api/orgs/${this.id}/dashboard` : `/api/projects/${this.id}/dashboard`;
  }

  /** Shows one dashboard live until the returned function is called. */
  watch(scope: "org" | "project", id: string): () => void {
    this.scope = scope;
    this.id = id;
    this.data = null;
    this.counters = null;
    this.lastLiveAt = null;
    const room = `${scope}:${id}:dashboard`;
    this.room = room;
    const offRoom = realtime.subscribe(room, { timeframe: this.timeframe });
    const offEvent = realtime.on("dashboard:counters", (e) => {
      if (e.scope !== scope || e.id !== id) return;
      this.applyCounters(e.timeframe, e.counters);
    });
    void this.load();
    return () => {
      offRoom();
      offEvent();
      clearTimeout(this.refreshTimer);
      this.refreshTimer = undefined;
      if (this.id === id) this.scope = this.id = this.room = null;
    };
  }

  setTimeframe(tf: Timeframe) {
    if (tf === this.timeframe) return;
    this.timeframe = tf;
    localStorage.setItem(TF_KEY, tf);
    this.counters = null;
    // The room answers with the counters of the new timeframe.
    if (this.room) realtime.update(this.room, { timeframe: tf });
    void this.load();
  }

  async load() {
    if (!this.scope || !this.id) return;
    const seq = ++this.seq;
    this.loading = true;
    const asked = (this.lastLoad = Date.now());
    try {
      const d = await api.get<Dashboard>(this.path, { timeframe: this.timeframe });
      if (seq !== this.seq) return;
      this.data = d;
      this.dataAskedAt = asked;
      this.error = null;
      this.checkAgreement();
    } catch (err) {
      if (seq === this.seq) this.error = (err as Error).message;
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  private applyCounters(timeframe: string, c: Counters) {
    // A late message for the timeframe shown before is not this view's.
    if (timeframe !== this.timeframe) return;
    const first = this.counters === null;
    this.counters = { ...c };
    this.countersAt = Date.now();
    // The room's state on subscribe is not a change, but it may be newer than the widgets.
    if (first) return this.checkAgreement();
    this.lastLiveAt = Date.now();
    this.refresh();
  }

  /**
   * The widgets and the counters are read apart (the GET and the room's snapshot on
   * opening, in either order): widgets asked for before the counters arrived and
   * saying otherwise may be the older reading, so they are read again (once: a
   * reading asked for after the counters is the newer one).
   */
  private checkAgreement() {
    const d = this.data;
    const c = this.counters;
    if (!d || !c || d.timeframe !== this.timeframe || this.dataAskedAt > this.countersAt) return;
    const w = d.widgets;
    const shown: Record<string, number | null> = {
      submissions: w.activity.submissions.value,
      completedTasks: w.activity.completedTasks.value,
      dailyActiveSubmitters: w.activity.dailyActiveSubmitters.value,
      pipelineCompletion: w.pipelineCompletion.value,
      firstReviewPassRate: w.firstReviewPassRate.value,
      avgReviewsPerReviewNode: w.avgReviewsPerReviewNode.value,
    };
    if (Object.entries(shown).some(([k, v]) => k in c && c[k] !== v)) this.refresh();
  }

  /** Reads the widgets again within a second, at most once a second. */
  private refresh() {
    if (this.refreshTimer) return;
    const wait = Math.max(0, REFRESH_MS - (Date.now() - this.lastLoad));
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.load();
    }, wait);
  }
}

function readTimeframe(): Timeframe {
  const v = typeof localStorage !== "undefined" ? localStorage.getItem(TF_KEY) : null;
  return TIMEFRAMES.some((t) => t.value === v) ? (v as Timeframe) : "7d";
}

export const dashboard = new DashboardStore();

/** Up, down or flat, comparing a value with the previous period's. */
export function trend(value: number | null | undefined, previous: number | null | undefined): "up" | "down" | "flat" | null {
  if (value === null || value === undefined || previous === null || previous === undefined) return null;
  const eps = Math.max(Math.abs(previous), 1) * 0.005;
  if (value > previous + eps) return "up";
  if (value < previous - eps) return "down";
  return "flat";
}

/** The change as a short label: "+12%", "−3", "new". */
export function trendLabel(value: number | null | undefined, previous: number | null | undefined, ratio = false): string {
  if (value === null || value === undefined || previous === null || previous === undefined) return "";
  if (ratio) {
    const pts = Math.round((value - previous) * 100);
    return `${pts > 0 ? "+" : pts < 0 ? "−" : "±"}${Math.abs(pts)} pts`;
  }
  if (previous === 0) return value === 0 ? "±0" : "new";
  const pct = Math.round(((value - previous) / Math.abs(previous)) * 100);
  return `${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct)}%`;
}
