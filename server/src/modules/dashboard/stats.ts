// Reads of the aggregate rows the dashboard migration's triggers keep (never the
// raw history). Every part is an index range scan over one scope's buckets, or
// one GiST stabbing scan per instant for per-person totals; all parts travel in
// ONE statement (a round trip through Prisma costs more than the scans).
import type { Db } from "../../infra/prisma";
import type { Unit } from "./timeframe";

export type Scope = "org" | "project";

export interface Bucket {
  submissions: number;
  activeSubmitters: number;
  maxUserSubmissions: number;
  completedTasks: number;
  tasksCreated: number;
  tasksCreatedCompleted: number;
  firstReviews: number;
  firstReviewPasses: number;
  reviews: number;
}

export const EMPTY: Bucket = {
  submissions: 0,
  activeSubmitters: 0,
  maxUserSubmissions: 0,
  completedTasks: 0,
  tasksCreated: 0,
  tasksCreatedCompleted: 0,
  firstReviews: 0,
  firstReviewPasses: 0,
  reviews: 0,
};
const ADDITIVE = ["submissions", "completedTasks", "tasksCreated", "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews"] as const;

export interface Spread {
  /** People who submitted in the period. */
  active: number;
  /** Most submissions by one person in the period. */
  max: number;
}

export interface ProjectRow {
  id: string;
  name: string;
  status: string;
  createdAt: Date;
  contributors: number;
}

export interface ScopeQuery {
  unit: Unit;
  /** Buckets in [from, end); from null = since the beginning. */
  from: Date | null;
  end: Date;
  /**
   * Per-person spread over the adjacent periods [a, b) and [b, c) (hour
   * boundaries; a or b null = since the beginning).
   */
  spread?: { a: Date | null; b: Date | null; c: Date };
  /** The scope's first instant (its creation or its oldest bucket), for "all". */
  first?: boolean;
  /** The org's projects with their contributor counts. */
  projects?: boolean;
}

export interface ScopeRead {
  buckets: Map<number, Bucket>;
  spread: { previous: Spread; current: Spread };
  first: Date | null;
  projects: ProjectRow[];
}

const HOUR = 3_600_000;
const ms = (sql: string) => `(extract(epoch from ${sql}) * 1000)::bigint`;

export async function readScope(db: Db, scope: Scope, id: string, q: ScopeQuery): Promise<ScopeRead> {
  const col = q.unit === "hour" ? `"hour"` : `"day"`;
  const instant = q.unit === "hour" ? `"hour"` : `("day"::timestamp AT TIME ZONE 'UTC')`;
  const bound = (i: number) => (q.unit === "hour" ? `$${i}::timestamptz` : `($${i}::timestamptz AT TIME ZONE 'UTC')::date`);
  const range = `($2::timestamptz IS NULL OR ${col} >= ${bound(2)}) AND ${col} < ${bound(3)}`;
  const suffix = q.unit === "hour" ? "Hour" : "Day";
  // An org's additive counters are the sum of its projects'; distinct submitters
  // and the per-person maximum are kept per org (one person, several projects).
  const buckets =
    scope === "project"
      ? `SELECT ${ms(instant)} AS t, "activeSubmitters", "maxUserSubmissions", ${ADDITIVE.map((c) => `"${c}"`).join(", ")}
         FROM "StatProject${suffix}Live" WHERE "projectId" = $1 AND ${range}`
      : `SELECT ${ms(instant)} AS t, coalesce(o."activeSubmitters", 0) AS "activeSubmitters",
                coalesce(o."maxUserSubmissions", 0) AS "maxUserSubmissions", ${ADDITIVE.map((c) => `coalesce(s."${c}", 0) AS "${c}"`).join(", ")}
         FROM (SELECT ${col}, ${ADDITIVE.map((c) => `sum("${c}")::int AS "${c}"`).join(", ")}
               FROM "StatProject${suffix}Live" WHERE "orgId" = $1 AND ${range} GROUP BY ${col}) s
         FULL JOIN (SELECT ${col}, "activeSubmitters", "maxUserSubmissions" FROM "StatOrg${suffix}" WHERE "orgId" = $1 AND ${range}) o
         USING (${col})`;
  const parts = [`(SELECT coalesce(json_agg(b), '[]'::json) FROM (${buckets}) b) AS buckets`];
  if (q.spread) parts.push(`(${SPREAD}) AS spread`);
  if (q.first) parts.push(`${ms(scope === "project" ? FIRST_PROJECT : FIRST_ORG)} AS first`);
  if (q.projects) parts.push(`(${PROJECTS}) AS projects`);
  // Stabbing instants: the last hour before each boundary ("-infinity": nothing before).
  const before = (t: Date | null | undefined) => (t ? new Date(t.getTime() - HOUR) : "-infinity");
  const params = [id, q.from, q.end, ...(q.spread ? [before(q.spread.a), before(q.spread.b), before(q.spread.c)] : [])];
  const [row] = await db.$queryRawUnsafe<Row[]>(`SELECT ${parts.join(",\n")}`, ...params);
  const out = new Map<number, Bucket>();
  for (const b of row!.buckets) out.set(Number(b.t), pick(b));
  const s = row!.spread;
  return {
    buckets: out,
    spread: { previous: { active: s?.pa ?? 0, max: s?.pm ?? 0 }, current: { active: s?.ca ?? 0, max: s?.cm ?? 0 } },
    first: row!.first == null ? null : new Date(Number(row!.first)),
    projects: (row!.projects ?? []).map((p) => ({ ...p, createdAt: new Date(Number(p.createdAt)) })),
  };
}

type Row = {
  buckets: Array<Bucket & { t: number }>;
  spread?: Record<"pa" | "pm" | "ca" | "cm", number>;
  first?: number | null;
  projects?: Array<Omit<ProjectRow, "createdAt"> & { createdAt: number }>;
};

function pick(r: Bucket): Bucket {
  const b = { ...EMPTY };
  for (const k of Object.keys(EMPTY) as Array<keyof Bucket>) b[k] = Number(r[k] ?? 0);
  return b;
}

// Each person's running total at the three instants $4 < $5 < $6, one stabbing
// scan each (at most one row per person); the differences are what they
// submitted in each period. Whoever has a row at or before $4 or $5 also has one
// at $6 (a person's spans chain on to infinity), so $6's rows lead the joins.
// The index is keyed by hashtext(scopeId) (dashboard_span_key migration); ids are
// joined in byte order (a linguistic sort of 2,000 ids costs more than the scans).
const STAB = (t: string) => `SELECT "userId", "cum" FROM "StatUserHour" WHERE "scopeKey" = hashtext($1) AND "scopeId" = $1 AND "span" @> ${t}::timestamptz`;
const SPREAD = `WITH c AS (${STAB("$6")}), b AS (${STAB("$5")}), a AS (${STAB("$4")})
  SELECT json_build_object(
    'pa', count(*) FILTER (WHERE prev > 0), 'pm', coalesce(max(prev), 0),
    'ca', count(*) FILTER (WHERE cur > 0), 'cm', coalesce(max(cur), 0))
  FROM (SELECT coalesce(b."cum", 0) - coalesce(a."cum", 0) AS prev, c."cum" - coalesce(b."cum", 0) AS cur
        FROM c LEFT JOIN b ON b."userId" COLLATE "C" = c."userId" LEFT JOIN a ON a."userId" COLLATE "C" = c."userId") per_person`;

const FIRST_PROJECT = `LEAST((SELECT min("day")::timestamp AT TIME ZONE 'UTC' FROM "StatProjectDayLive" WHERE "projectId" = $1),
  (SELECT "createdAt" FROM "Project" WHERE id = $1))`;
const FIRST_ORG = `LEAST((SELECT min("day")::timestamp AT TIME ZONE 'UTC' FROM "StatProjectDayLive" WHERE "orgId" = $1),
  (SELECT "createdAt" FROM "Organization" WHERE id = $1), (SELECT min("createdAt") FROM "Project" WHERE "orgId" = $1))`;

const PROJECTS = `SELECT coalesce(json_agg(x ORDER BY x.name, x.id), '[]'::json) FROM (
    SELECT p.id, p.name, p.status, ${ms("p.\"createdAt\"")} AS "createdAt", coalesce(m.n, 0)::int AS contributors
    FROM "Project" p
    LEFT JOIN (SELECT m."projectId", count(*) AS n FROM "ProjectMember" m JOIN "Project" q ON q.id = m."projectId"
               WHERE q."orgId" = $1 AND m.role = 'contributor' GROUP BY 1) m ON m."projectId" = p.id
    WHERE p."orgId" = $1) x`;
