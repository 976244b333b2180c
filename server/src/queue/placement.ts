// Where a waiting task sits in Redis and in what order it is served.
import type { NodeDef } from "./catalog";
import type { ProjectKeys } from "./keys";

export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
const AGE_BITS = 2 ** 42; // epoch ms fit below 2^42 until the year 2109

/**
 * Ready sets serve the lowest score first: higher priority first, then the
 * oldest. (PRIORITY_MAX - priority) * 2^42 + createdAt stays below 2^53, so
 * the score is an exact integer in a double.
 */
export function score(priority: number, createdAt: Date | string): number {
  return (PRIORITY_MAX - priority) * AGE_BITS + new Date(createdAt).getTime();
}

export interface Reservation {
  /** The task's assignment, kept for its whole life. */
  assignedUserId: string | null;
  assignedTypeId: string | null;
  /**
   * Whether the assignment applies at this node: its assignee may work it
   * (PostgreSQL's pipelines_assignment_applies answers, for every placement).
   */
  assignmentApplies: boolean;
  reworkUserId: string | null;
}

/** A task as PostgreSQL tells where it waits (PLACED_TASK_COLUMNS). */
export interface PlacedTask extends Reservation {
  id: string;
  nodeId: string;
  status: string;
  priority: number;
  createdAt: Date;
  kind: string;
  /** At a review node: the author of the work reviewed, who may not take it. */
  author: string | null;
}

/**
 * The columns of a PlacedTask, from "Task" t joined to its node "PipelineNode" n:
 * one reading for a rebuild (rebuild.ts) and a task's edit (tasks/edit.ts). Where
 * an assignment applies is asked as every live placement asks; only assigned tasks
 * pay for the question (it is false without an assignment).
 */
export const PLACED_TASK_COLUMNS = `t.id, t."nodeId", t.status, t.priority, t."createdAt", t."assignedUserId", t."assignedTypeId", t."reworkUserId", n.kind,
  CASE WHEN t."assignedUserId" IS NOT NULL OR t."assignedTypeId" IS NOT NULL
    THEN pipelines_assignment_applies(t."projectId", t."nodeId", t."assignedUserId", t."assignedTypeId") ELSE false END AS "assignmentApplies",
  CASE WHEN n.kind = 'review' THEN (
    SELECT s."userId" FROM "Submission" s WHERE s."taskId" = t.id AND s."nodeId" = n."reviewsNodeId"
    ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1) END AS author`;

/**
 * The ready set a task waits in at a node. Review nodes are open to their
 * type (the author is excluded separately); on task nodes a rework goes to its
 * author first, then an assignment to one person or one type, where it
 * applies; where its assignee may not work the node, the node's contributors.
 */
export function readyKeyFor(k: ProjectKeys, node: Pick<NodeDef, "id" | "kind">, t: Reservation): string {
  if (node.kind === "review") return k.ready(node.id);
  if (t.reworkUserId) return k.readyUser(node.id, t.reworkUserId);
  if (!t.assignmentApplies) return k.ready(node.id);
  if (t.assignedUserId) return k.readyUser(node.id, t.assignedUserId);
  if (t.assignedTypeId) return k.readyType(node.id, t.assignedTypeId);
  return k.ready(node.id);
}
