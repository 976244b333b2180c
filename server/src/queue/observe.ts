// What the claim engine tells /metrics besides its domain events (the bus carries
// claims taken, submitted, released and expired; infra/metrics-queue.ts listens to
// both): each claim attempt's outcome, and each rebuild of a project's queue state.
// Per deps, like the engine's other per-process state; nothing listens in tests that
// build no app, and a listener's failure never reaches the engine.
import type { Deps } from "../deps";

export type RebuildOutcome = "ok" | "superseded" | "failed";

export interface QueueObserver {
  /** A claim answered: `ok`, or the error code it answered with (queue_empty, claim_limit_reached, …). */
  claimAttempt?(outcome: string): void;
  /** A rebuild of a project's Redis state from PostgreSQL ended (superseded: marked stale while it ran, so done again). */
  rebuilt?(seconds: number, outcome: RebuildOutcome): void;
}

const observers = new WeakMap<Deps, Set<QueueObserver>>();

export function observeQueue(deps: Deps, o: QueueObserver): () => void {
  let set = observers.get(deps);
  if (!set) observers.set(deps, (set = new Set()));
  set.add(o);
  return () => set.delete(o);
}

export function tell(deps: Deps, fn: (o: QueueObserver) => void): void {
  const set = observers.get(deps);
  if (!set) return;
  for (const o of set) {
    try {
      fn(o);
    } catch {
      // metrics never break the engine
    }
  }
}
