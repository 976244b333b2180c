// One query per page or batch: each task with the run that created it, every
// evaluation (submission) and every review, aggregated by PostgreSQL. For the
// export the payload comes back as JSON text, so it is copied without parsing;
// for the explorer's pages only its size and first characters leave PostgreSQL.
import { Prisma } from "@prisma/client";
import type { Db } from "../../infra/prisma";

export interface Evaluation {
  id: string;
  nodeId: string;
  node: string | null;
  userId: string;
  userName: string | null;
  answers: Record<string, unknown>;
  attempt: number;
  createdAt: string;
}

export interface ReviewOut {
  id: string;
  nodeId: string;
  node: string | null;
  submissionId: string;
  userId: string;
  userName: string | null;
  verdict: "pass" | "return";
  comment: string | null;
  round: number;
  createdAt: string;
}

interface RecordBase {
  id: string;
  pipelineId: string;
  nodeId: string;
  nodeKey: string | null;
  nodeName: string | null;
  nodeKind: string | null;
  status: string;
  priority: number;
  assignedUserId: string | null;
  assignedTypeId: string | null;
  /** Whether the assignment applies at the current node; null without one or once completed. */
  assignmentApplies: boolean | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  runId: string | null;
  agentId: string | null;
  runExternalId: string | null;
  runCreatedAt: Date | null;
  evaluations: Evaluation[];
  reviews: ReviewOut[];
}

/** A task whole, for the export. */
export interface TaskRecord extends RecordBase {
  payloadJson: string;
}

/** A task for a list: the payload's size (bytes of its JSON text) and its first PREVIEW_CHARS characters. */
export interface TaskSummaryRecord extends RecordBase {
  payloadSize: number;
  payloadPreview: string;
}

export const PREVIEW_CHARS = 200;

const PAYLOAD = {
  whole: Prisma.raw(`t."payload"::text AS "payloadJson",`),
  summary: Prisma.raw(`octet_length(t."payload"::text) AS "payloadSize", left(t."payload"::text, ${PREVIEW_CHARS}) AS "payloadPreview",`),
};

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const RECORD_COLUMNS = Prisma.raw(`
  t."id", t."pipelineId", t."nodeId", n."key" AS "nodeKey", n."name" AS "nodeName", n."kind" AS "nodeKind",
  t."status", t."priority", t."assignedUserId", t."assignedTypeId",
  CASE WHEN t."status" <> 'completed' AND (t."assignedUserId" IS NOT NULL OR t."assignedTypeId" IS NOT NULL)
    THEN pipelines_assignment_applies(t."projectId", t."nodeId", t."assignedUserId", t."assignedTypeId") END AS "assignmentApplies",
  t."createdAt", t."updatedAt", t."completedAt",
  r."id" AS "runId", r."agentId", r."externalId" AS "runExternalId", r."createdAt" AS "runCreatedAt",
  (SELECT coalesce(json_agg(json_build_object(
      'id', s."id", 'nodeId', s."nodeId", 'node', sn."key", 'userId', s."userId", 'userName', su."name",
      'answers', s."answers", 'attempt', s."attempt", 'createdAt', ${iso(`s."createdAt"`)})
    ORDER BY s."createdAt", s."id"), '[]'::json)
   FROM "Submission" s LEFT JOIN "PipelineNode" sn ON sn."id" = s."nodeId" LEFT JOIN "User" su ON su."id" = s."userId"
   WHERE s."taskId" = t."id") AS "evaluations",
  (SELECT coalesce(json_agg(json_build_object(
      'id', v."id", 'nodeId', v."nodeId", 'node', vn."key", 'submissionId', v."submissionId", 'userId', v."userId",
      'userName', vu."name", 'verdict', v."verdict", 'comment', v."comment", 'round', v."round", 'createdAt', ${iso(`v."createdAt"`)})
    ORDER BY v."createdAt", v."id"), '[]'::json)
   FROM "Review" v LEFT JOIN "PipelineNode" vn ON vn."id" = v."nodeId" LEFT JOIN "User" vu ON vu."id" = v."userId"
   WHERE v."taskId" = t."id") AS "reviews"`);

/** Tasks matching `where` (over alias t), in `order`, after `after`, at most `limit`; payloads whole. */
export function readRecords(db: Db, where: Prisma.Sql, after: Prisma.Sql, order: Prisma.Sql, limit: number) {
  return read<TaskRecord>(db, PAYLOAD.whole, where, after, order, limit);
}

/** The same with payloads summarized: what a page of the explorer shows. */
export function readSummaries(db: Db, where: Prisma.Sql, after: Prisma.Sql, order: Prisma.Sql, limit: number) {
  return read<TaskSummaryRecord>(db, PAYLOAD.summary, where, after, order, limit);
}

function read<T>(db: Db, payload: Prisma.Sql, where: Prisma.Sql, after: Prisma.Sql, order: Prisma.Sql, limit: number) {
  return db.$queryRaw<T[]>`
    SELECT ${payload} ${RECORD_COLUMNS}
    FROM "Task" t
    LEFT JOIN "PipelineNode" n ON n."id" = t."nodeId"
    LEFT JOIN "Run" r ON r."taskId" = t."id"
    WHERE ${where} ${after}
    ORDER BY ${order}
    LIMIT ${limit}`;
}

/** The last entry per node (an evaluation redone after a return replaces the earlier one). */
export function latestPerNode<T extends { nodeId: string }>(items: T[]): T[] {
  const last = new Map<string, T>();
  for (const i of items) last.set(i.nodeId, i);
  return [...last.values()];
}

export const runOf = (r: RecordBase) =>
  r.runId && r.agentId && r.runCreatedAt ? { id: r.runId, agentId: r.agentId, externalId: r.runExternalId, createdAt: r.runCreatedAt.toISOString() } : null;
