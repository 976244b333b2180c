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
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // Rows as arrays: a record object built by the parser would let a second
    // column of one name overwrite the first, and a "__proto__" column vanish.
    rows = parse(text, { info: true, bom: true, skip_empty_lines: true }) as unknown as typeof rows;
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    throw bad(e.lines ?? 1, e.message ?? "not valid CSV");
  }
  const [head, ...body] = rows;
  if (!head) return [];
  const columns = head.record;
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice !== undefined) throw bad(head.info.lines, `the column "${twice}" appears twice in the header`);
  if (body.length > MAX_IMPORT) throw payloadTooLarge(`At most ${MAX_IMPORT} tasks per import (got ${body.length}); split the file.`);
  return body.map(({ record, info }) => toTask(new Map(columns.map((c, i) => [c, record[i]!])), info.lines));
}

function toTask(record: Map<string, string>, line: number): TaskInput {
  // Own keys only (defineProperty): a "__proto__" key stays data, as in a JSON import.
  const payload: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => Object.defineProperty(payload, k, { value: v, enumerable: true, writable: true, configurable: true });
  const json = record.get("payload");
  if (json !== undefined && json !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw bad(line, "the payload column is not valid JSON");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw bad(line, "the payload column must hold a JSON object");
    for (const [k, v] of Object.entries(parsed)) put(k, v);
  }
  for (const [k, v] of record) if (!RESERVED.has(k)) put(k, v);
  if (!Object.keys(payload).length) throw bad(line, "the task has no payload (add a payload column or data columns)");
  const task: TaskInput = { payload };
  const priority = record.get("priority");
  if (priority) {
    const p = Number(priority);
    if (!Number.isInteger(p) || p < PRIORITY_MIN || p > PRIORITY_MAX) throw bad(line, `priority must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}`);
    task.priority = p;
  }
  const user = record.get("assign_user_id");
  const type = record.get("assign_type_id");
  if (user && type) throw bad(line, "assign to a user or to a type, not both");
  if (user) task.assignTo = { userId: user };
  else if (type) task.assignTo = { contributorTypeId: type };
  return task;
}
