// What an error answer may be (API.md "Errors"), and a raw request sender that
// never throws on odd answers, so a scenario can judge every answer it gets.
import type { Db } from "../../../server/src/infra/prisma";

/** Status → the codes API.md documents for it (409 lists examples: any snake_case code). */
const DOCUMENTED: Record<number, string[] | "any"> = {
  400: ["invalid_request"],
  401: ["unauthenticated"],
  403: ["forbidden", "wrong_contributor_type"],
  404: ["not_found"],
  409: "any",
  413: ["payload_too_large"],
  422: ["invalid_answers"],
  429: ["rate_limited"],
};

export interface Answer {
  status: number;
  text: string;
  body: any;
}

/** Why this answer is not a documented error; null when it is one. */
export function undocumented(a: Answer): string | null {
  const allowed = DOCUMENTED[a.status];
  if (!allowed) return `status ${a.status} is not a documented error status`;
  const err = a.body?.error;
  if (!err || typeof err.code !== "string" || typeof err.message !== "string") return `status ${a.status} without the error shape: ${a.text.slice(0, 120)}`;
  if (allowed !== "any" && !allowed.includes(err.code)) return `status ${a.status} with code ${err.code}`;
  if (allowed === "any" && !/^[a-z][a-z0-9_]*$/.test(err.code)) return `status 409 with code ${err.code}`;
  if (/node_modules|\bat .+\.(ts|js):\d+/.test(a.text)) return "a stack trace in the answer";
  return null;
}

export async function send(base: string, method: string, path: string, opts: { token?: string; body?: string; contentType?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
  const r = await fetch(base + path, { method: method.toUpperCase(), headers, body: opts.body });
  const text = await r.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: r.status, text, body };
}

/** Row counts of every table of the database: a refused request must leave them all as they were. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = await db.$queryRaw<Array<{ t: string }>>`SELECT tablename::text AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`;
  const sql = tables.map((x) => `SELECT '${x.t}' AS t, count(*)::int AS n FROM "${x.t}"`).join(" UNION ALL ");
  const rows = await db.$queryRawUnsafe<Array<{ t: string; n: number }>>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

export function countDiff(before: Record<string, number>, after: Record<string, number>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).map((k) => `${k}: ${before[k]} → ${after[k]}`);
}

/** Tallies answers by "status code" for the summary. */
export function tally(into: Record<string, number>, a: Answer): void {
  const key = a.status >= 400 ? `${a.status} ${a.body?.error?.code ?? "?"}` : `${a.status}`;
  into[key] = (into[key] ?? 0) + 1;
}
