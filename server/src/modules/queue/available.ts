// GET /api/projects/:projectId/queue/:nodeId/tasks: the tasks the caller could
// claim now at a node, in Claim next's order. The ids come from Redis, the ready
// sets the claim picks from (queue/available.ts says why); PostgreSQL adds what a
// person reads, with the payload cut to a preview there (never read whole here).
import type { Actor } from "../../access/actor";
import { contributorIn } from "../../access/roles";
import type { Deps } from "../../deps";
import { readyTasks, workableNode, type Catalog } from "../../queue/engine";
import type { AvailableTask } from "./view";

export const PREVIEW_CHARS = 200;

interface Row {
  id: string;
  priority: number;
  createdAt: Date;
  reworkUserId: string | null;
  preview: string;
  reviewComment: string | null;
}

export async function availableTasks(deps: Deps, actor: Actor, cat: Catalog, nodeId: string, opts: { limit: number; cursor?: string }) {
  const typeId = contributorIn(actor, cat.projectId)!.contributorTypeId;
  // Refused as a claim there would be: another type's node 403, an end node 400, none 404.
  const node = await workableNode(deps, cat, nodeId, typeId);
  const { tasks, nextCursor } = await readyTasks(deps, cat.projectId, node, actor.userId, typeId, opts);
  const rows = tasks.length ? await facts(deps, cat.projectId, node.id, actor.userId, tasks.map((t) => t.id)) : new Map<string, Row>();
  const items: AvailableTask[] = [];
  for (const t of tasks) {
    // Gone or taken between the two reads (Redis follows PostgreSQL's commits): not offered.
    const r = rows.get(t.id);
    if (!r) continue;
    const reservedForMe = t.set !== "mine" ? null : r.reworkUserId === actor.userId ? "rework" : "assigned";
    items.push({
      id: r.id,
      priority: r.priority,
      createdAt: r.createdAt.toISOString(),
      preview: r.preview,
      reservedForMe,
      reviewComment: reservedForMe === "rework" ? r.reviewComment : null,
    });
  }
  return { items, nextCursor };
}

/**
 * The page's tasks still queued at the node, with the start of each payload's
 * JSON text (as the data explorer's) and, for work returned
 * to the caller, the start of the comment of the review that returned it.
 */
async function facts(deps: Deps, projectId: string, nodeId: string, userId: string, ids: string[]): Promise<Map<string, Row>> {
  const rows = await deps.db.$queryRaw<Row[]>`
    SELECT t.id, t.priority, t."createdAt", t."reworkUserId",
      left(t.payload::text, ${PREVIEW_CHARS}) AS preview,
      CASE WHEN t."reworkUserId" = ${userId} THEN (
        SELECT left(r.comment, ${PREVIEW_CHARS})
        FROM (SELECT s.id FROM "Submission" s WHERE s."taskId" = t.id AND s."nodeId" = t."nodeId" ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1) s
        JOIN "Review" r ON r."taskId" = t.id AND r."submissionId" = s.id AND r.verdict = 'return'
        ORDER BY r."createdAt" DESC LIMIT 1) END AS "reviewComment"
    FROM "Task" t
    WHERE t.id = ANY(${ids}::text[]) AND t."projectId" = ${projectId} AND t."nodeId" = ${nodeId} AND t.status = 'queued'`;
  return new Map(rows.map((r) => [r.id, r]));
}
