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
