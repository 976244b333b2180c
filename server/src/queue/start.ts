// What the claim engine runs beside the server: the expiry sweeper (one
// instance at a time holds its lock) and, once at start, the rebuild of every
// project with open tasks, so the first claims find Redis ready.
import type { Deps } from "../deps";
import { ensureLoaded } from "./rebuild";
import { startSweeper } from "./sweeper";

export function startQueueWorkers(deps: Deps): () => Promise<void> {
  const interval = deps.config.SWEEP_INTERVAL_MS;
  if (interval <= 0) return async () => {};
  const stopSweeper = startSweeper(deps, { intervalMs: interval });
  let stopped = false;
  const warm = (async () => {
    const rows = await deps.db.task.findMany({ where: { status: { in: ["queued", "claimed"] }, project: { status: "active" } }, distinct: ["projectId"], select: { projectId: true } });
    for (const r of rows) {
      if (stopped) return;
      await ensureLoaded(deps, r.projectId).catch((err) => deps.log.warn({ err, projectId: r.projectId }, "warming the queue state failed"));
    }
  })().catch((err) => deps.log.warn({ err }, "warming the queue state failed"));
  return async () => {
    stopped = true;
    await warm;
    await stopSweeper();
  };
}
