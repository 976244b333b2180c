// docs/metrics.md computed the slow way, straight from the raw rows (Submission,
// Review, Task, Project), independently of the aggregates and of the server's
// dashboard code: the reference the dashboard answers are compared with.
import type { Deps } from "../../server/src/deps";

type Timeframe = "24h" | "7d" | "30d" | "90d" | "all";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Raw {
  subs: Array<{ userId: string; at: number }>;
  tasks: Array<{ created: number; completed: number | null; cancelled: boolean }>;
  reviews: Array<{ pair: string; round: number; pass: boolean; at: number }>;
  projects: Array<{ id: string; name: string; status: string; created: number; contributors: number }>;
  scopeCreated: number;
}

async function raw(deps: Deps, scope: "org" | "project", id: string): Promise<Raw> {
  const col = scope === "org" ? `"orgId"` : `"projectId"`;
  const subs = await deps.db.$queryRawUnsafe<Array<{ userId: string; at: Date }>>(
    `SELECT "userId", "createdAt" AS at FROM "Submission" WHERE ${col} = $1`,
    id,
  );
  const tasks = await deps.db.$queryRawUnsafe<Array<{ created: Date; completed: Date | null; cancelled: boolean }>>(
    `SELECT t."createdAt" AS created, CASE WHEN t.status = 'completed' THEN t."completedAt" END AS completed,
            t.status = 'cancelled' AS cancelled
     FROM "Task" t JOIN "Project" p ON p.id = t."projectId" WHERE p.${scope === "org" ? `"orgId"` : "id"} = $1`,
    id,
  );
  const reviews = await deps.db.$queryRawUnsafe<Array<{ pair: string; round: number; verdict: string; at: Date }>>(
    `SELECT "taskId" || ' ' || "nodeId" AS pair, round, verdict, "createdAt" AS at FROM "Review" WHERE ${col} = $1`,
    id,
  );
  const projects = await deps.db.$queryRawUnsafe<Array<{ id: string; name: string; status: string; created: Date; contributors: number }>>(
    `SELECT p.id, p.name, p.status, p."createdAt" AS created,
            (SELECT count(*)::int FROM "ProjectMember" m WHERE m."projectId" = p.id AND m.role = 'contributor') AS contributors
     FROM "Project" p WHERE p.${scope === "org" ? `"orgId"` : "id"} = $1 ORDER BY p.name, p.id`,
    id,
  );
  const org = scope === "org" ? await deps.db.organization.findUniqueOrThrow({ where: { id } }) : null;
  const created = [...(org ? [org.createdAt.getTime()] : []), ...projects.map((p) => p.created.getTime())];
  return {
    subs: subs.map((s) => ({ userId: s.userId, at: s.at.getTime() })),
    tasks: tasks.map((t) => ({ created: t.created.getTime(), completed: t.completed ? t.completed.getTime() : null, cancelled: t.cancelled })),
    reviews: reviews.map((r) => ({ pair: r.pair, round: r.round, pass: r.verdict === "pass", at: r.at.getTime() })),
    projects: projects.map((p) => ({ ...p, created: p.created.getTime() })),
    scopeCreated: Math.min(...created),
  };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** The dashboard answer docs/metrics.md defines, for `now`. */
export async function referenceDashboard(deps: Deps, scope: "org" | "project", id: string, tf: Timeframe, now: Date) {
  const r = await raw(deps, scope, id);
  const n = now.getTime();
  const step = tf === "24h" ? HOUR : DAY;
  const cur = Math.floor(n / step) * step;
  let count = { "24h": 24, "7d": 7, "30d": 30, "90d": 90, all: 0 }[tf];
  let from = cur - (count - 1) * step;
  if (tf === "all") {
    const facts = [
      r.scopeCreated,
      ...r.subs.map((s) => s.at),
      ...r.tasks.flatMap((t) => [t.created, ...(t.completed ? [t.completed] : [])]),
      ...r.reviews.map((x) => x.at),
    ];
    from = Math.min(cur, Math.floor(Math.min(...facts) / DAY) * DAY);
    count = (cur - from) / DAY + 1;
  }
  const end = from + count * step;
  const buckets = Array.from({ length: count }, (_, i) => from + i * step);
  const prevFrom = tf === "all" ? null : from - count * step;

  // Pairs counted by their first review's instant.
  const firstAt = new Map<string, { at: number; pass: boolean }>();
  for (const x of r.reviews) if (x.round === 1) firstAt.set(x.pair, { at: x.at, pass: x.pass });
  const cohortAt = (x: { pair: string; at: number }) => firstAt.get(x.pair)?.at ?? x.at;

  const inR = (t: number, a: number, b: number) => t >= a && t < b;
  const period = (a: number, b: number) => {
    const subs = r.subs.filter((s) => inR(s.at, a, b));
    const per = new Map<string, number>();
    for (const s of subs) per.set(s.userId, (per.get(s.userId) ?? 0) + 1);
    const firsts = [...firstAt.values()].filter((f) => inR(f.at, a, b));
    const reviews = r.reviews.filter((x) => inR(cohortAt(x), a, b));
    // A cancelled task is out of the created tasks while it is cancelled.
    const created = r.tasks.filter((t) => !t.cancelled && inR(t.created, a, b));
    return {
      submissions: subs.length,
      completedTasks: r.tasks.filter((t) => t.completed !== null && inR(t.completed, a, b)).length,
      active: per.size,
      max: Math.max(0, ...per.values()),
      firstReviews: firsts.length,
      firstPasses: firsts.filter((f) => f.pass).length,
      reviews: reviews.length,
      created: created.length,
      createdCompleted: created.filter((t) => t.completed !== null).length,
    };
  };
  const das = (a: number) => {
    if (tf === "24h") return period(a, a + count * step).active;
    let sum = 0;
    for (let i = 0; i < count; i++) sum += period(a + i * DAY, a + (i + 1) * DAY).active;
    return sum / count;
  };
  const metric = (whole: (p: ReturnType<typeof period>) => number | null, each: (p: ReturnType<typeof period>) => number | null, special?: (a: number) => number) => ({
    value: special ? special(from) : whole(period(from, end)),
    previous: prevFrom === null ? null : special ? special(prevFrom) : whole(period(prevFrom, from)),
    series: buckets.map((t) => ({ t: new Date(t).toISOString(), v: each(period(t, t + step)) })),
  });
  const whole = period(from, end);
  const existing = (before: number) => r.projects.filter((p) => p.created < before).length;
  return {
    timeframe: tf,
    from: new Date(from).toISOString(),
    to: now.toISOString(),
    widgets: {
      ...(scope === "org"
        ? {
            projects: {
              count: r.projects.length,
              previous: prevFrom === null ? null : existing(from),
              series: buckets.map((t) => ({ t: new Date(t).toISOString(), v: existing(t + step) })),
              items: r.projects.map((p) => ({ id: p.id, name: p.name, status: p.status, contributors: p.contributors })),
            },
          }
        : {}),
      activity: {
        submissions: metric((p) => p.submissions, (p) => p.submissions),
        completedTasks: metric((p) => p.completedTasks, (p) => p.completedTasks),
        dailyActiveSubmitters: metric(() => 0, (p) => p.active, das),
      },
      pipelineCompletion: { value: ratio(whole.createdCompleted, whole.created), completed: whole.createdCompleted, total: whole.created },
      engagement: {
        avgSubmissionsPerActiveContributor: metric((p) => ratio(p.submissions, p.active), (p) => ratio(p.submissions, p.active)),
        maxSubmissionsByContributor: metric((p) => p.max, (p) => p.max),
      },
      firstReviewPassRate: metric((p) => ratio(p.firstPasses, p.firstReviews), (p) => ratio(p.firstPasses, p.firstReviews)),
      avgReviewsPerReviewNode: metric((p) => ratio(p.reviews, p.firstReviews), (p) => ratio(p.reviews, p.firstReviews)),
    },
  };
}
