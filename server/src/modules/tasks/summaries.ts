// What a task's list item says of its payload: its size (bytes of its JSON text)
// and its first PREVIEW_CHARS characters, measured and cut by PostgreSQL, so a page
// of large tasks reads no payload into this process (as the explorer's pages and
// the runs list do: data/records.ts, runs/summaries.ts). GET /api/tasks/:taskId
// gives the payload whole.
import type { Db } from "../../infra/prisma";
import { PREVIEW_CHARS } from "../data/records";

export interface PayloadFacts {
  payloadSize: number;
  preview: string;
}

export async function payloadFacts(db: Db, ids: string[]): Promise<Map<string, PayloadFacts>> {
  if (!ids.length) return new Map();
  const rows = await db.$queryRaw<Array<PayloadFacts & { id: string }>>`
    SELECT "id", octet_length("payload"::text) AS "payloadSize", left("payload"::text, ${PREVIEW_CHARS}) AS "preview"
    FROM "Task" WHERE "id" = ANY(${ids}::text[])`;
  return new Map(rows.map(({ id, ...facts }) => [id, facts]));
}

/** Facts for a task deleted between the two reads: a zero size, an empty preview. */
export const NO_PAYLOAD: PayloadFacts = { payloadSize: 0, preview: "" };
