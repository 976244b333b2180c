// The two export formats. JSONL: one task per line with every evaluation and
// review. CSV: one task per row; for each node, the latest evaluation's answers
// one column per criterion ("<node>.<criterion>") and the latest review's verdict.
import { stringify } from "csv-stringify/sync";
import type { NodeInfo } from "./nodes";
import { latestPerNode, runOf, type TaskRecord } from "./records";

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export function jsonlLines(batch: TaskRecord[]): string {
  let out = "";
  for (const r of batch) {
    // The payload is spliced in as the JSON text PostgreSQL gave: never parsed here.
    const head = JSON.stringify({
      id: r.id,
      pipelineId: r.pipelineId,
      nodeId: r.nodeId,
      node: r.nodeKey,
      status: r.status,
      priority: r.priority,
      run: runOf(r),
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      completedAt: isoOrNull(r.completedAt),
      evaluations: r.evaluations,
      reviews: r.reviews,
    });
    out += `${head.slice(0, -1)},"payload":${r.payloadJson}}\n`;
  }
  return out;
}

const FIXED = ["task_id", "pipeline_id", "node", "status", "priority", "created_at", "updated_at", "completed_at", "run_id", "agent_id", "run_external_id", "payload"];

/** Column names, known before the first row from the project's pipeline nodes. */
export function csvColumns(nodes: NodeInfo[]): string[] {
  const cols = new Set(FIXED);
  for (const n of nodes) {
    if (n.kind === "task") {
      for (const c of ["submitted_by", "submitted_at", "attempts"]) cols.add(`${n.key}.${c}`);
      for (const c of n.criteria) cols.add(`${n.key}.${c}`);
    } else if (n.kind === "review") {
      for (const c of ["verdict", "reviewed_by", "comment", "rounds"]) cols.add(`${n.key}.${c}`);
    }
  }
  return [...cols];
}

// A text cell a spreadsheet would read as a formula (=, +, -, @, tab, CR first)
// gets a leading apostrophe: exported answers and payloads are untrusted text.
// A spreadsheet in a locale whose list separator is `;` splits every line of this
// `,` file at each `;`, quotes or not (a quote opens a field only at its start, and
// these fields start mid-line): what follows a `;` is read as a cell of its own, so
// a formula character there gets the apostrophe too. JSON says `;` as `\u003b`
// instead (the same JSON: `;` only ever stands inside its strings).
const FORMULA = /^[=+\-@\t\r]/;
const AFTER_SEMICOLON = /;(?=[=+\-@\t\r])/g;
const text = (s: string) => (FORMULA.test(s) ? `'${s}` : s).replace(AFTER_SEMICOLON, ";'");
const jsonText = (s: string) => s.replaceAll(";", "\\u003b");
// Booleans as words: csv-stringify writes false as an empty cell (like "not
// answered") and true as 1.
const cell = (v: unknown) =>
  v === null || v === undefined ? "" : typeof v === "object" ? text(jsonText(JSON.stringify(v))) : typeof v === "string" ? text(v) : typeof v === "boolean" ? String(v) : v;

// Quoted, beyond the usual `,` `"` CR LF: any cell holding `;`, for a reader told to
// split at both `,` and `;` (one honouring quotes after a `,`).
const OPTIONS = { quoted_match: /;/ };

export const csvHeader = (columns: string[]) => stringify([columns], OPTIONS);

export function csvRows(batch: TaskRecord[], columns: string[]): string {
  const known = new Set(columns);
  const rows = batch.map((t) => {
    const r: Record<string, unknown> = {
      task_id: t.id,
      pipeline_id: t.pipelineId,
      node: t.nodeKey ?? "",
      status: t.status,
      priority: t.priority,
      created_at: t.createdAt.toISOString(),
      updated_at: t.updatedAt.toISOString(),
      completed_at: isoOrNull(t.completedAt),
      run_id: t.runId,
      agent_id: t.agentId,
      run_external_id: t.runExternalId,
      payload: jsonText(t.payloadJson),
    };
    for (const e of latestPerNode(t.evaluations)) {
      r[`${e.node}.submitted_by`] = e.userName ?? e.userId;
      r[`${e.node}.submitted_at`] = e.createdAt;
      r[`${e.node}.attempts`] = e.attempt;
      for (const [k, v] of Object.entries(e.answers)) if (known.has(`${e.node}.${k}`)) r[`${e.node}.${k}`] = v;
    }
    for (const v of latestPerNode(t.reviews)) {
      r[`${v.node}.verdict`] = v.verdict;
      r[`${v.node}.reviewed_by`] = v.userName ?? v.userId;
      r[`${v.node}.comment`] = v.comment;
      r[`${v.node}.rounds`] = v.round;
    }
    return columns.map((c) => cell(r[c]));
  });
  return stringify(rows, OPTIONS);
}
