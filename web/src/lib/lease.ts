// Lease timing on the task page: how often to heartbeat, and when to warn that
// the lease is about to end (heartbeats stop extending it at the node's maximum).

/** A third of the lease, between 2 s and 60 s. */
export function heartbeatEvery(leaseSeconds: number | null | undefined): number {
  const lease = (leaseSeconds ?? 1800) * 1000;
  return Math.max(2000, Math.min(60_000, lease / 3));
}

/** Warn under 2 minutes left, or under 30% of a short lease. */
export function warnBelow(leaseSeconds: number | null | undefined): number {
  return Math.min(120_000, (leaseSeconds ?? 1800) * 1000 * 0.3);
}

export function leaseWarning(leftMs: number, leaseSeconds: number | null | undefined, serverSaysExpiring: boolean): boolean {
  return leftMs > 0 && (serverSaysExpiring || leftMs < warnBelow(leaseSeconds));
}
