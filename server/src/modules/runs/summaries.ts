// What a run's summary needs besides its row: the size and the start of each
// part, and the state of its task. PostgreSQL measures and cuts the payloads,
// so a page of runs reads none of them whole into this process.
import { Prisma } from "@prisma/client";
import type { Db } from "../../infra/prisma";
import { PREVIEW_CHARS, type RunFacts } from "./view";

/** The columns a summary reads: everything but the payloads. */
export const SUMMARY_SELECT = { id: true, projectId: true, agentId: true, pipelineId: true, taskId: true, externalId: true, createdAt: true } as const;

/** A part as text: a JSON string as itself (what a person reads), anything else as its JSON. */
const text = (col: string) => `CASE WHEN jsonb_typeof(${col}) = 'string' THEN ${col} #>> '{}' ELSE ${col}::text END`;

const FACTS = Prisma.raw(`
  "id", octet_length("input"::text) AS "inputSize", octet_length("output"::text) AS "outputSize",
  octet_length("trace"::text) AS "traceSize",
  left(${text(`"input"`)}, ${PREVIEW_CHARS}) AS "inputPreview", left(${text(`"output"`)}, ${PREVIEW_CHARS}) AS "outputPreview"`);

export async function runFacts(db: Db, ids: string[]): Promise<Map<string, RunFacts>> {
  if (!ids.length) return new Map();
  const rows = await db.$queryRaw<Array<RunFacts & { id: string }>>`SELECT ${FACTS} FROM "Run" WHERE "id" = ANY(${ids}::text[])`;
  return new Map(rows.map(({ id, ...facts }) => [id, facts]));
}

export type TaskState = { id: string; status: string; nodeId: string; completedAt: Date | null };

export async function taskStates(db: Db, taskIds: string[]): Promise<Map<string, TaskState>> {
  if (!taskIds.length) return new Map();
  const tasks = await db.task.findMany({ where: { id: { in: taskIds } }, select: { id: true, status: true, nodeId: true, completedAt: true } });
  return new Map(tasks.map((t) => [t.id, t]));
}

/** Facts for a run that has none (deleted between the two reads): zero sizes, empty previews. */
export const NO_FACTS: RunFacts = { inputSize: 0, outputSize: 0, traceSize: null, inputPreview: "", outputPreview: "" };
