// Turning pasted or uploaded JSON into the import body {tasks:[{payload, priority?, assignTo?}]}.
// Accepted: {tasks:[…]}, an array of tasks (objects with a payload), an array
// of bare payloads, or JSON Lines (one task or payload per line).

export interface ImportTask {
  payload: unknown;
  priority?: number;
  assignTo?: { userId: string } | { contributorTypeId: string };
}

export type ParseResult = { ok: true; tasks: ImportTask[] } | { ok: false; error: string };

// The server's range (server/src/queue/placement.ts).
export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;

const isTask = (v: unknown): v is ImportTask => !!v && typeof v === "object" && !Array.isArray(v) && "payload" in v;

function fromList(list: unknown[]): ParseResult {
  if (!list.length) return { ok: false, error: "There are no tasks in it." };
  const tasks = list.map((v) => (isTask(v) ? v : { payload: v }));
  const notObject = tasks.findIndex((t) => !t.payload || typeof t.payload !== "object" || Array.isArray(t.payload));
  if (notObject >= 0) return { ok: false, error: `Task ${notObject + 1}: the payload must be a JSON object.` };
  const bad = tasks.findIndex((t) => t.priority !== undefined && !(Number.isInteger(t.priority) && t.priority >= PRIORITY_MIN && t.priority <= PRIORITY_MAX));
  if (bad >= 0) return { ok: false, error: `Task ${bad + 1}: priority must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.` };
  return { ok: true, tasks };
}

export function parseTasksJson(text: string): ParseResult {
  const src = text.trim();
  if (!src) return { ok: false, error: "Paste JSON or choose a file." };
  try {
    const v = JSON.parse(src) as unknown;
    if (Array.isArray(v)) return fromList(v);
    if (v && typeof v === "object" && Array.isArray((v as { tasks?: unknown }).tasks)) return fromList((v as { tasks: unknown[] }).tasks);
    return fromList([v]);
  } catch {
    // Not one JSON document: try JSON Lines.
  }
  const lines = src.split(/\r?\n/).filter((l) => l.trim());
  const out: unknown[] = [];
  for (let i = 0; i < lines.length; i++) {
    try {
      out.push(JSON.parse(lines[i]!));
    } catch {
      return { ok: false, error: `Line ${i + 1} is not valid JSON.` };
    }
  }
  return fromList(out);
}

/** Rows in a CSV text (records, not counting the header), for the preview only; quoted newlines count once. */
export function csvRowCount(text: string): number {
  let rows = 0;
  let inQuotes = false;
  let content = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    if (ch === "\n" && !inQuotes) {
      if (content) rows++;
      content = false;
    } else if (ch !== "\r") content = true;
  }
  if (content) rows++;
  return Math.max(0, rows - 1);
}

export const isCsvName = (name: string) => /\.(csv|tsv)$/i.test(name);
