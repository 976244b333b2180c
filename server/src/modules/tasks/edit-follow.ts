// After a task's edit committed (edit.ts): Redis follows it, then the events
// leave, so the queues and dashboards watching the project move at once. A
// revoked claim is settled as any revoke is (queue/release.ts): the task goes
// where it waits now, or leaves Redis when cancelled; its holder hears
// claim:revoked. A task that was not held moves between ready sets
// (queue/place.ts).
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { settle } from "../../queue/follow";
import { nodeOfClaim } from "../../queue/held";
import { replaceTask, type Placed } from "../../queue/place";
import { markStale } from "../../queue/stale";
import type { Edited, Found } from "./edit";

const waiting = (t: Found): Placed | null => (t.status === "queued" ? t : null);

export async function followEdit(deps: Deps, actor: Actor, orgId: string, e: Edited): Promise<void> {
  const { after } = e;
  const ref = { orgId, projectId: after.projectId, pipelineId: after.pipelineId, nodeId: after.nodeId, taskId: after.id };
  try {
    const { node } = await nodeOfClaim(deps, { projectId: after.projectId, nodeId: after.nodeId });
    if (e.revoked) await settle(deps, after.projectId, after.id, e.revoked.claimId, after.status === "queued" ? node : null, e.revoked);
    else if (e.before.status !== "claimed") await replaceTask(deps, after.projectId, node, after.id, waiting(e.before), waiting(after), after.author);
  } catch (err) {
    // Committed: Redis catches up by a rebuild.
    deps.log.warn({ err, projectId: after.projectId }, "Redis could not follow a task's edit; the project's queue will be rebuilt");
    await markStale(deps, after.projectId).catch(() => {});
  }
  if (e.revoked) deps.bus.publish({ type: "task.released", ...ref, claimId: e.revoked.claimId, userId: e.revoked.userId, reason: "revoked" });
  deps.bus.publish({ type: "task.updated", ...ref, userId: actor.userId, changes: e.changes });
}
