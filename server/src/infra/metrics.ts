// Prometheus metrics (docs/metrics.md, "Prometheus"). One registry per app, so several
// apps in one test process don't collide.
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Deps } from "../deps";
import { queueMetrics, type QueueMetricsOptions } from "./metrics-queue";

/** Totals read when metrics are scraped (the claim writer's, claim-writer.ts). */
interface ClaimRecordStats {
  readonly stats: { statements: number; claims: number };
  readonly timings: Set<(queuedMs: number, statementMs: number) => void>;
}

/** `queue`: the work queue's signals (claims, rebuilds, depths: metrics-queue.ts), for an app's deps. */
export function createMetrics(claimRecords?: ClaimRecordStats, queue?: { deps: Deps } & QueueMetricsOptions) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const stopQueue = queue ? queueMetrics(registry, queue.deps, queue) : () => {};
  // Where a claim's PostgreSQL time goes: waiting for the statement in flight, or its own statement.
  const recordTime = new Histogram({
    name: "pipelines_claim_record_seconds",
    help: "A claim's record in PostgreSQL: queued behind the statement in flight, then its own statement",
    labelNames: ["phase"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const timing = (queuedMs: number, statementMs: number) => {
    recordTime.observe({ phase: "queued" }, queuedMs / 1000);
    recordTime.observe({ phase: "statement" }, statementMs / 1000);
  };
  claimRecords?.timings.add(timing);
  return {
    registry,
    /** Stops observing the claim writer and the engine (they outlive an app in tests). */
    stop: () => {
      claimRecords?.timings.delete(timing);
      stopQueue();
    },
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by route and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    // Claims per statement = records / statements: how much claims that queue up share.
    claimRecords: new Counter({
      name: "pipelines_claim_records_total",
      help: "Claims recorded in PostgreSQL by this process",
      registers: [registry],
      collect() {
        if (claimRecords) setTotal(this, claimRecords.stats.claims);
      },
    }),
    claimStatements: new Counter({
      name: "pipelines_claim_record_statements_total",
      help: "PostgreSQL statements that recorded those claims (claims that queue up share one)",
      registers: [registry],
      collect() {
        if (claimRecords) setTotal(this, claimRecords.stats.statements);
      },
    }),
  };
}

function setTotal(counter: Counter, total: number): void {
  counter.reset();
  counter.inc(total);
}

export type Metrics = ReturnType<typeof createMetrics>;
