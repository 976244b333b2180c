// The dashboard triggers append delta rows instead of updating a project's shared
// bucket rows (dashboard_deltas migration; docs/metrics.md "How it stays fast"):
// this folds the committed deltas into the bucket rows now and then, so the
// readers' views (bucket rows + pending deltas) stay short. Folding changes
// nothing a reader sees; several instances may run it (each project is folded
// by one at a time, the others skip it).
import type { Deps } from "../../deps";
import { sqlOf } from "../../queue/pg";

/** Folds every project's pending deltas; returns the bucket rows written. */
export async function foldDashboardDeltas(deps: Deps): Promise<number> {
  const [row] = await sqlOf(deps).query<{ n: number }>("SELECT dash_fold() AS n", []);
  return Number(row?.n ?? 0);
}

export function startDashboardFolder(deps: Deps, intervalMs: number): () => Promise<void> {
  if (intervalMs <= 0) return async () => {};
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => foldDashboardDeltas(deps)).catch((err) => deps.log.warn({ err }, "folding dashboard deltas failed"));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
