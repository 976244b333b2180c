// Tasks from CSV: a header row, then one task per record. Reserved columns:
// `payload` (a JSON object), `priority` (integer), `assign_user_id`,
// `assign_type_id`; every other column becomes a payload field (text).
// Malformed input answers 400 with the line number.
import { parse } from "csv-parse/sync";
import { invalidRequest, payloadTooLarge } from "../../http/errors";
import { PRIORITY_MAX, PRIORITY_MIN } from "../../queue/placement";
import { MAX_IMPORT, type TaskInput } from "./service";

const RESERVED = new Set(["payload", "priority", "assign_user_id", "assign_type_id"]);

const bad = (line: number, message: string) => invalidRequest(`CSV line ${line}: ${message}`, { line });

export function parseTasksCsv(text: string): TaskInput[] {
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parse(text, { columns: true, info: true, bom: true, skip_empty_lines: true }) as typeof rows;
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    throw bad(e.lines ?? 1, e.message ?? "not valid CSV");
  }
  if (rows.length > MAX_IMPORT) throw payloadTooLarge(`At most ${MAX_IMPORT} tasks per import (got ${rows.length}); split the file.`);
  return rows.map(({ record, info }) => toTask(record, info.lines));
}

function toTask(record: Record<string, string>, line: number): TaskInput {
  const payload: Record<string, unknown> = {};
  if (record.payload !== undefined && record.payload !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.payload);
    } catch {
      throw bad(line, "the payload column is not valid JSON");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw bad(line, "the payload column must hold a JSON object");
    Object.assign(payload, parsed);
  }
  for (const [k, v] of Object.entries(record)) if (!RESERVED.has(k)) payload[k] = v;
  if (!Object.keys(payload).length) throw bad(line, "the task has no payload (add a payload column or data columns)");
  const task: TaskInput = { payload };
  if (record.priority) {
    const p = Number(record.priority);
    if (!Number.isInteger(p) || p < PRIORITY_MIN || p > PRIORITY_MAX) throw bad(line, `priority must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}`);
    task.priority = p;
  }
  if (record.assign_user_id && record.assign_type_id) throw bad(line, "assign to a user or to a type, not both");
  if (record.assign_user_id) task.assignTo = { userId: record.assign_user_id };
  else if (record.assign_type_id) task.assignTo = { contributorTypeId: record.assign_type_id };
  return task;
}
