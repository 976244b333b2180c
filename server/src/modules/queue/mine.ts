// GET /api/me/submissions: what the caller submitted, their evaluations and their
// reviews in one list, newest first. The order key is (createdAt, kind, id), all
// descending: ids alone are unique only within a table, and createdAt alone ties
// (a batch, one instant), so the kind joins them into one total order and a page
// boundary never repeats or skips an item. The cursor carries all three.
import { Prisma } from "@prisma/client";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { invalidRequest } from "../../http/errors";
import { decodeCursor, encodeCursor } from "../../http/keyset";
import type { MySubmission } from "./view";

export const MINE_KINDS = ["evaluation", "review"] as const;
type Kind = (typeof MINE_KINDS)[number];

interface Row {
  kind: Kind;
  id: string;
  projectId: string;
  taskId: string;
  nodeId: string;
  createdAt: Date;
  answers: unknown;
  attempt: number | null;
  submissionId: string | null;
  verdict: string | null;
  comment: string | null;
  round: number | null;
}

// The kind rides in the cursor's id part ("review:<id>"); a cursor without one is another list's.
function decode(cursor: string): { at: Date; kind: Kind; id: string } {
  const { value, id } = decodeCursor(cursor, "date");
  const [kind, ...rest] = id.split(":");
  if (!MINE_KINDS.includes(kind as Kind) || !rest.length) throw invalidRequest("The cursor is not valid: pass back a nextCursor from a previous page of the same list and sort.");
  return { at: value as Date, kind: kind as Kind, id: rest.join(":") };
}

export async function mySubmissions(deps: Deps, actor: Actor, opts: { limit: number; cursor?: string; kind?: Kind }) {
  const orgs = [...actor.orgs.keys()];
  const after = opts.cursor ? decode(opts.cursor) : null;
  // Each side takes its own newest limit + 1 (the index on (userId, createdAt) bounds it), then the union is cut.
  const page = (table: "Submission" | "Review", kind: Kind) => {
    const key = after
      ? Prisma.sql`AND x."createdAt" <= ${after.at} AND (x."createdAt", ${kind}::text, x.id) < (${after.at}, ${after.kind}::text, ${after.id})`
      : Prisma.empty;
    const cols =
      kind === "evaluation"
        ? Prisma.sql`x.answers, x.attempt, NULL::text AS "submissionId", NULL::text AS verdict, NULL::text AS comment, NULL::int AS round`
        : Prisma.sql`NULL::jsonb AS answers, NULL::int AS attempt, x."submissionId", x.verdict, x.comment, x.round`;
    return Prisma.sql`(SELECT ${kind}::text AS kind, x.id, x."projectId", x."taskId", x."nodeId", x."createdAt", ${cols}
      FROM ${Prisma.raw(`"${table}"`)} x
      WHERE x."userId" = ${actor.userId} AND x."orgId" = ANY(${orgs}::text[]) ${key}
      ORDER BY x."createdAt" DESC, x.id DESC LIMIT ${opts.limit + 1})`;
  };
  const sides = [
    ...(opts.kind !== "review" ? [page("Submission", "evaluation")] : []),
    ...(opts.kind !== "evaluation" ? [page("Review", "review")] : []),
  ];
  const rows = await deps.db.$queryRaw<Row[]>`
    SELECT * FROM (${Prisma.join(sides, " UNION ALL ")}) mine
    ORDER BY "createdAt" DESC, kind DESC, id DESC LIMIT ${opts.limit + 1}`;

  const more = rows.length > opts.limit;
  const items = more ? rows.slice(0, opts.limit) : rows;
  const last = items[items.length - 1];
  return { items: await viewOf(deps, actor.userId, items), nextCursor: more && last ? encodeCursor(last.createdAt, `${last.kind}:${last.id}`) : null };
}

/** Node names, and for each evaluation the latest review of it and whether its rework waits for me. */
async function viewOf(deps: Deps, userId: string, rows: Row[]): Promise<MySubmission[]> {
  const evaluations = rows.filter((r) => r.kind === "evaluation").map((r) => r.id);
  const [reviews, nodes, waiting] = await Promise.all([
    evaluations.length ? deps.db.review.findMany({ where: { submissionId: { in: evaluations } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }) : [],
    deps.db.pipelineNode.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.nodeId))] } }, select: { id: true, name: true } }),
    reworkWaiting(deps, userId, evaluations),
  ]);
  const latest = new Map(reviews.map((r) => [r.submissionId, r]));
  const names = new Map(nodes.map((n) => [n.id, n.name]));
  return rows.map((s) => {
    const base = { id: s.id, projectId: s.projectId, taskId: s.taskId, nodeId: s.nodeId, nodeName: names.get(s.nodeId) ?? null, createdAt: s.createdAt.toISOString() };
    if (s.kind === "review")
      return { kind: "review", ...base, submissionId: s.submissionId!, verdict: s.verdict as "pass" | "return", comment: s.comment, round: s.round! };
    const r = latest.get(s.id);
    return {
      kind: "evaluation",
      ...base,
      answers: s.answers,
      attempt: s.attempt!,
      review: r ? { verdict: r.verdict as "pass" | "return", comment: r.comment, round: r.round, createdAt: r.createdAt.toISOString() } : null,
      reworkWaiting: waiting.has(s.id),
    };
  });
}

/**
 * The evaluations among `ids` whose task waits for my rework now: returned to me
 * (Task.reworkUserId), queued at the evaluation's node in an active project, and
 * the evaluation is the latest there (an earlier attempt's return is history).
 * Claimed (in my hands), cancelled, reworked or opened to others: not waiting.
 */
async function reworkWaiting(deps: Deps, userId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await deps.db.$queryRaw<Array<{ id: string }>>`
    SELECT s.id FROM "Submission" s
    JOIN "Task" t ON t.id = s."taskId" AND t."nodeId" = s."nodeId"
    JOIN "Project" p ON p.id = t."projectId"
    WHERE s.id = ANY(${ids}::text[]) AND t."reworkUserId" = ${userId} AND t.status = 'queued' AND p.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM "Submission" later WHERE later."taskId" = s."taskId" AND later."nodeId" = s."nodeId"
                        AND (later."createdAt", later.id) > (s."createdAt", s.id))`;
  return new Set(rows.map((r) => r.id));
}
