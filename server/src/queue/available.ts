// Which tasks one contributor could claim at a node, read from the ready sets
// the claim itself picks from (lua/available-5.lua). Eligibility is not derived
// again in SQL: the sets already are its answer (assignments placed where they
// apply, rework kept for its author, a type's tasks for that type), and the one
// rule the claim applies on top (no review of one's own submission) is applied by
// the script the way the claim applies it. So the list agrees with Claim next,
// costs ZRANGEs bounded by the page, and never scans PostgreSQL's queued tasks.
import type { Deps } from "../deps";
import { invalidRequest } from "../http/errors";
import { decodeCursor, encodeCursor } from "../http/keyset";
import type { NodeDef } from "./catalog";
import { keysOf, NO_TYPE } from "./keys";
import { ensureLoaded } from "./rebuild";
import { runScript } from "./scripts";

/** Where a ready task waits: the node's open set, the caller's own set (assigned or returned to them), their type's. */
export type ReadySet = "open" | "mine" | "type";
const SETS: Record<number, ReadySet> = { 2: "open", 3: "mine", 4: "type" };

export interface ReadyTask {
  id: string;
  set: ReadySet;
}

/** A page's cursor: the last task's score (as Redis wrote it) and id, the claim's order. */
function decode(cursor: string): { score: string; id: string } {
  const { value, id } = decodeCursor(cursor, "string");
  // Scores are integers below 2^53 (placement.ts): anything else is not one of our cursors.
  if (!/^\d{1,16}$/.test(value as string)) throw invalidRequest("The cursor is not valid: pass back a nextCursor from a previous page of the same list and sort.");
  return { score: value as string, id };
}

export async function readyTasks(
  deps: Deps,
  projectId: string,
  node: Pick<NodeDef, "id" | "kind">,
  userId: string,
  typeId: string | null,
  opts: { limit: number; cursor?: string },
): Promise<{ tasks: ReadyTask[]; nextCursor: string | null }> {
  const after = opts.cursor ? decode(opts.cursor) : null;
  const k = keysOf(projectId);
  const keys = [k.epoch, k.ready(node.id), k.readyUser(node.id, userId), k.readyType(node.id, typeId ?? NO_TYPE), k.at];
  const args = [after?.score ?? "", after?.id ?? "", opts.limit + 1, userId, node.kind === "review" ? "1" : "0"];
  let r = await runScript<number | string[]>(deps.redis, "available", keys, args);
  if (r === -1) {
    await ensureLoaded(deps, projectId);
    r = await runScript<number | string[]>(deps.redis, "available", keys, args);
  }
  if (!Array.isArray(r)) return { tasks: [], nextCursor: null };
  const rows: Array<ReadyTask & { score: string }> = [];
  for (let i = 0; i < r.length; i += 3) rows.push({ id: r[i]!, score: normalScore(r[i + 1]!), set: SETS[Number(r[i + 2])]! });
  const more = rows.length > opts.limit;
  const page = more ? rows.slice(0, opts.limit) : rows;
  const last = page[page.length - 1];
  return { tasks: page.map(({ id, set }) => ({ id, set })), nextCursor: more && last ? encodeCursor(last.score, last.id) : null };
}

/** A score as digits (Redis may write a double in exponent form; ours are exact integers). */
const normalScore = (s: string) => BigInt(Math.round(Number(s))).toString();
