// The work queue's signals for /metrics (docs/metrics.md, "Prometheus"). Events are
// counted per instance from what the engine already publishes after each commit
// (the bus) or tells (queue/observe.ts); Prometheus adds the instances up. The depth
// gauges are one reading of Redis shared by every instance, taken at scrape (cached
// briefly, so several scrapers cost one read; one pipeline per project, so it works
// on Redis Cluster) and bounded: the deepest projects each under its id, the rest
// summed as project="_other". Redis unreachable: no reading (the gauges are absent),
// the rest of /metrics still answers.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Deps } from "../deps";
import { GLOBAL_KEYS, keysOf } from "../queue/keys";
import { observeQueue } from "../queue/observe";

export interface QueueMetricsOptions {
  /** Projects given a label of their own (the deepest); the rest are summed as "_other". */
  maxProjects?: number;
  /** How long one reading of the depths serves scrapes. */
  cacheMs?: number;
}

/** A lease counts as overdue this long after its deadline: the sweeper should have expired it by then. */
const OVERDUE_MS = 60_000;
const OTHER = "_other";

export function queueMetrics(registry: Registry, deps: Deps, opts: QueueMetricsOptions = {}): () => void {
  const registers = [registry];
  const claimAttempts = new Counter({
    name: "pipelines_claims_total",
    help: "Claim attempts by outcome: ok (a claim taken) or the error code answered (queue_empty, claim_limit_reached, …)",
    labelNames: ["outcome"],
    registers,
  });
  const ended = new Counter({
    name: "pipelines_claims_ended_total",
    help: "Claims ended, by outcome: submitted, released, expired, revoked",
    labelNames: ["outcome"],
    registers,
  });
  const reviews = new Counter({ name: "pipelines_reviews_total", help: "Review verdicts submitted, by verdict", labelNames: ["verdict"], registers });
  const completed = new Counter({ name: "pipelines_tasks_completed_total", help: "Tasks that reached their pipeline's end node", registers });
  const notifications = new Counter({
    name: "pipelines_notifications_total",
    help: "Notifications stored and pushed to their person's sockets, by type",
    labelNames: ["type"],
    registers,
  });
  const rebuilds = new Counter({
    name: "pipelines_queue_rebuilds_total",
    help: "Rebuilds of a project's queue state in Redis from PostgreSQL (Redis lost it, or it was marked stale), by outcome: ok, superseded, failed",
    labelNames: ["outcome"],
    registers,
  });
  const rebuildTime = new Histogram({
    name: "pipelines_queue_rebuild_seconds",
    help: "How long a rebuild of a project's queue state took",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  // Known series start at 0, so a rate() has a start before the first event.
  claimAttempts.inc({ outcome: "ok" }, 0);
  for (const o of ["submitted", "released", "expired", "revoked"]) ended.inc({ outcome: o }, 0);
  for (const v of ["pass", "return"]) reviews.inc({ verdict: v }, 0);
  for (const o of ["ok", "superseded", "failed"]) rebuilds.inc({ outcome: o }, 0);

  const offs = [
    deps.bus.on("task.submitted", () => ended.inc({ outcome: "submitted" })),
    deps.bus.on("task.reviewed", (e) => {
      ended.inc({ outcome: "submitted" });
      reviews.inc({ verdict: e.verdict });
    }),
    deps.bus.on("task.released", (e) => ended.inc({ outcome: e.reason })),
    deps.bus.on("task.completed", () => completed.inc()),
    deps.bus.on("notification.created", (e) => notifications.inc({ type: e.notification.type })),
    observeQueue(deps, {
      claimAttempt: (outcome) => claimAttempts.inc({ outcome }),
      rebuilt: (seconds, outcome) => {
        rebuilds.inc({ outcome });
        rebuildTime.observe(seconds);
      },
    }),
  ];

  const reader = depthReader(deps, opts.cacheMs ?? 5_000);
  const read = () => reader().catch(() => new Map<string, Depth>());
  const max = opts.maxProjects ?? 50;
  new Gauge({
    name: "pipelines_queue_ready_tasks",
    help: `Tasks waiting to be claimed, per project (the ${max} deepest; the rest summed as project="${OTHER}"). The same reading on every instance`,
    labelNames: ["project"],
    registers,
    async collect() {
      this.reset();
      for (const [project, d] of labelled(await read(), max)) this.set({ project }, d.ready);
    },
  });
  new Gauge({
    name: "pipelines_queue_active_claims",
    help: "Claims held now, per project (labelled as pipelines_queue_ready_tasks)",
    labelNames: ["project"],
    registers,
    async collect() {
      this.reset();
      for (const [project, d] of labelled(await read(), max)) this.set({ project }, d.claims);
    },
  });
  new Gauge({
    name: "pipelines_queue_overdue_claims",
    help: `Leases ended over ${OVERDUE_MS / 1000} s ago and not yet expired by the sweeper (above 0 for long: no sweeper runs)`,
    registers,
    async collect() {
      this.reset();
      const depths = await read();
      if (depths.size) this.set([...depths.values()].reduce((n, d) => n + d.overdue, 0));
    },
  });
  return () => {
    for (const off of offs) off();
  };
}

interface Depth {
  ready: number;
  claims: number;
  overdue: number;
}

/**
 * Per loaded project (the sweeper's list): ready = tasks placed (`at`) minus those held
 * (`claim`), two counters Redis keeps anyway; a project whose state is not loaded is left out.
 */
function depthReader(deps: Deps, cacheMs: number): () => Promise<Map<string, Depth>> {
  let last: { at: number; value: Promise<Map<string, Depth>> } | undefined;
  return () => {
    if (last && performance.now() - last.at < cacheMs) return last.value;
    const value = readDepths(deps);
    last = { at: performance.now(), value };
    value.catch(() => (last = undefined));
    return value;
  };
}

/** Projects read at once: each is one pipeline (one round trip) of its own. */
const READ_CONCURRENCY = 16;

async function readDepths(deps: Deps): Promise<Map<string, Depth>> {
  const projects = await deps.redis.smembers(GLOBAL_KEYS.projects);
  const overdueBefore = deps.clock.now().getTime() - OVERDUE_MS;
  const depths = new Map<string, Depth>();
  // One pipeline per project: its keys share its hash tag, so each pipeline is one
  // Cluster slot (ioredis Cluster refuses a pipeline whose keys span slots).
  const readOne = async (id: string) => {
    const k = keysOf(id);
    // Deadlines score above 0, warnings below (keys.ts): overdue = deadlines in (0, now - 60 s].
    const res = (await deps.redis.pipeline().exists(k.epoch).hlen(k.at).hlen(k.claim).zcount(k.deadlines, 0, overdueBefore).exec()) ?? [];
    const v = (n: number) => Number(res[n]?.[1] ?? 0);
    if (v(0)) depths.set(id, { ready: Math.max(0, v(1) - v(2)), claims: v(2), overdue: v(3) });
  };
  let next = 0;
  let failed = false; // Redis unreachable: the reading fails at once, and the rest is not asked
  const worker = async () => {
    try {
      while (!failed && next < projects.length) await readOne(projects[next++]!);
    } catch (err) {
      failed = true;
      throw err;
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, projects.length) }, worker));
  return depths;
}

/** The `max` deepest projects by their id, then the rest summed as "_other" (when there is a rest). */
function labelled(depths: Map<string, Depth>, max: number): Array<[string, Depth]> {
  const sorted = [...depths].sort(([a, x], [b, y]) => y.ready + y.claims - (x.ready + x.claims) || a.localeCompare(b));
  const rest = sorted.slice(max);
  if (!rest.length) return sorted;
  const other = rest.reduce((s, [, d]) => ({ ready: s.ready + d.ready, claims: s.claims + d.claims, overdue: 0 }), { ready: 0, claims: 0, overdue: 0 });
  return [...sorted.slice(0, max), [OTHER, other]];
}
