// Seeds one org with a large history for the dashboard benchmark: by default
// 1,000,000+ submissions across 20 projects and 2,000 contributors over 120 days,
// with reviews (a quarter returned, then reworked and passed) and completions.
// Rows are written set-based (INSERT … SELECT generate_series) with the dashboard
// triggers off for this session, then dashboard_rebuild() builds the aggregates
// once — the same function the tests hold equal to the triggers.
//
//   DATABASE_URL=postgresql://… npx tsx scripts/seed-dashboard.ts [--submissions N] [--projects N] [--contributors N] [--days N]
//
// The database must be migrated (npm run migrate). Prints the org, its admin and
// the counts; the admin's password is random and thrown away (the benchmark signs a token).
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { hashPassword } from "../server/src/auth/passwords";

export interface SeedOptions {
  submissions: number;
  projects: number;
  contributors: number;
  days: number;
  /** The end of the history (the benchmark's "now"). */
  now: Date;
  log?: (line: string) => void;
}

export interface Seeded {
  orgId: string;
  adminId: string;
  projectIds: string[];
  counts: { submissions: number; reviews: number; tasks: number; users: number };
  seconds: { raw: number; aggregates: number };
}

/** Tasks needed so that first submissions plus rework ones reach `submissions`. */
function taskCount(submissions: number): number {
  // Task i is reworked when i % 4 = 0 and i % 10 <> 0 (see the SQL below), unless
  // its review would fall after "now": a little margin covers those last hours.
  const total = (n: number) => n + Math.floor(n / 4) - Math.floor(n / 20);
  let n = Math.floor(submissions / 1.2);
  while (total(n) < submissions) n++;
  return n + Math.ceil(submissions / 1000);
}

export async function seedDashboard(databaseUrl: string, o: SeedOptions): Promise<Seeded> {
  const log = o.log ?? (() => {});
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const t0 = Date.now();
    // Superuser only: the dashboard triggers stay off for this session's bulk rows.
    await db.query(`SET session_replication_role = replica`);
    await db.query(`SET work_mem = '256MB'`);
    const prefix = `seed${Date.now().toString(36)}`;
    const orgId = `${prefix}-org`;
    const adminId = `${prefix}-admin`;
    const start = new Date(o.now.getTime() - o.days * 86_400_000);
    const tasks = taskCount(o.submissions);
    const perProject = Math.ceil(o.contributors / o.projects);
    const work = `"seed_work_${prefix}"`;
    const args = { prefix, start: start.toISOString(), now: o.now.toISOString(), span: (o.now.getTime() - start.getTime()) / 1000 };

    await db.query(`INSERT INTO "Organization" (id, name, "createdAt") VALUES ($1, 'Dashboard benchmark', $2)`, [orgId, start]);
    await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, $2, 'Bench Admin', $3)`, [
      adminId,
      `${prefix}-admin@bench.local`,
      await hashPassword(randomUUID()),
    ]);
    await db.query(`INSERT INTO "OrgMember" ("orgId", "userId", role) VALUES ($1, $2, 'admin')`, [orgId, adminId]);
    // Users u0 … u(n-1); user u belongs to project u % projects, the first tenth also to the next project.
    await db.query(
      `INSERT INTO "User" (id, email, name) SELECT $1 || '-u' || u, $1 || '-u' || u || '@bench.local', 'Contributor ' || u
       FROM generate_series(0, $2 - 1) u`,
      [prefix, o.contributors],
    );
    await db.query(`INSERT INTO "OrgMember" ("orgId", "userId", role) SELECT $2, $1 || '-u' || u, 'member' FROM generate_series(0, $3 - 1) u`, [
      prefix,
      orgId,
      o.contributors,
    ]);
    await db.query(
      `INSERT INTO "Project" (id, "orgId", name, "createdAt") SELECT $1 || '-p' || p, $2, 'Project ' || (p + 1), $3::timestamptz + p * interval '1 hour'
       FROM generate_series(0, $4 - 1) p`,
      [prefix, orgId, start, o.projects],
    );
    await db.query(
      `INSERT INTO "ProjectMember" ("projectId", "userId", role)
       SELECT $1 || '-p' || (u % $2), $1 || '-u' || u, 'contributor' FROM generate_series(0, $3 - 1) u
       UNION ALL
       SELECT $1 || '-p' || ((u + 1) % $2), $1 || '-u' || u, 'contributor' FROM generate_series(0, $3 / 10 - 1) u`,
      [prefix, o.projects, o.contributors],
    );
    await db.query(
      `INSERT INTO "Pipeline" (id, "projectId", name, "createdAt") SELECT $1 || '-pl' || p, $1 || '-p' || p, 'Evaluate', $2
       FROM generate_series(0, $3 - 1) p`,
      [prefix, start, o.projects],
    );
    await db.query(
      `INSERT INTO "PipelineNode" (id, "pipelineId", "projectId", key, kind, name, position, "reviewsNodeId")
       SELECT $1 || '-n' || p || '-' || k.key, $1 || '-pl' || p, $1 || '-p' || p, k.key, k.kind, k.key, k.pos,
              CASE WHEN k.kind = 'review' THEN $1 || '-n' || p || '-label' END
       FROM generate_series(0, $2 - 1) p, (VALUES ('label', 'task', 0), ('check', 'review', 1), ('end', 'end', 2)) k(key, kind, pos)`,
      [prefix, o.projects],
    );

    // One row per task with everything that happens to it. Work comes in sessions:
    // a contributor takes 8 tasks of a project in a row (~half an hour), and some
    // people work far more than others (a skewed pick).
    log(`tasks: ${tasks}`);
    await db.query(
      `CREATE UNLOGGED TABLE ${work} AS
       SELECT i, p, u, created, submitted,
              submitted + interval '1 hour' + (i % 7200) * interval '1 second' AS review1,
              (i % 10 <> 0) AS reviewed, (i % 4 = 0 AND i % 10 <> 0) AS returned
       FROM (
         SELECT i, p, created,
                LEAST($4::timestamptz, created + (i % 1800) * interval '1 second') AS submitted,
                CASE WHEN blk % 10 = 0 AND slot < 10 THEN ((p + $2 - 1) % $2) + $2 * slot ELSE p + $2 * slot END AS u
         FROM (
           SELECT i, (i - 1) % $2 AS p, (i - 1) / ($2 * 8) AS blk,
                  $3::timestamptz + (i - 1) * ($5::float8 / $1) * interval '1 second' AS created,
                  floor($6 * power(('x' || substr(md5(((i - 1) / ($2 * 8)) || ':' || ((i - 1) % $2)), 1, 8))::bit(32)::bigint / 4294967296.0, 1.6))::int AS slot
           FROM generate_series(1, $1) i) a) b`,
      [tasks, o.projects, args.start, args.now, args.span, perProject],
    );
    // Reviews later than "now" have not happened yet.
    await db.query(`UPDATE ${work} SET reviewed = false, returned = false WHERE review1 + interval '3 hours' > $1`, [args.now]);
    // The three big inserts run side by side, each on its own connection; into
    // empty tables, secondary indexes are built once afterwards (faster than row by row).
    const dropped = await dropIndexesIfEmpty(db, ["Task", "Submission", "Review"]);
    log(`tasks, submissions and reviews${dropped.length ? ` (${dropped.length} indexes built after)` : ""}`);
    try {
      await inParallel(databaseUrl, [
        `INSERT INTO "Task" (id, "projectId", "pipelineId", "nodeId", status, payload, "createdAt", "updatedAt", "completedAt")
         SELECT $1 || '-t' || i, $1 || '-p' || p, $1 || '-pl' || p, $1 || '-n' || p || CASE WHEN reviewed THEN '-end' ELSE '-check' END,
                CASE WHEN reviewed THEN 'completed' ELSE 'queued' END, '{}', created, created,
                CASE WHEN reviewed THEN review1 + CASE WHEN returned THEN interval '3 hours' ELSE interval '1 minute' END END
         FROM ${work}`,
        `INSERT INTO "Submission" (id, "projectId", "orgId", "taskId", "nodeId", "claimId", "userId", answers, attempt, "createdAt")
         SELECT $1 || '-s' || i, $1 || '-p' || p, $2, $1 || '-t' || i, $1 || '-n' || p || '-label', $1 || '-c' || i, $1 || '-u' || u,
                '{"accuracy": 4}'::jsonb, 1, submitted FROM ${work}
         UNION ALL
         SELECT $1 || '-s' || i || 'b', $1 || '-p' || p, $2, $1 || '-t' || i, $1 || '-n' || p || '-label', $1 || '-c' || i || 'b', $1 || '-u' || u,
                '{"accuracy": 5}'::jsonb, 2, review1 + interval '2 hours' FROM ${work} WHERE returned`,
        `INSERT INTO "Review" (id, "projectId", "orgId", "taskId", "nodeId", "submissionId", "claimId", "userId", verdict, round, "createdAt")
         SELECT $1 || '-r' || i, $1 || '-p' || p, $2, $1 || '-t' || i, $1 || '-n' || p || '-check', $1 || '-s' || i, $1 || '-rc' || i,
                $1 || '-u' || ((u + 7) % $3), CASE WHEN returned THEN 'return' ELSE 'pass' END, 1, review1 FROM ${work} WHERE reviewed
         UNION ALL
         SELECT $1 || '-r' || i || 'b', $1 || '-p' || p, $2, $1 || '-t' || i, $1 || '-n' || p || '-check', $1 || '-s' || i || 'b', $1 || '-rc' || i || 'b',
                $1 || '-u' || ((u + 7) % $3), 'pass', 2, review1 + interval '3 hours' - interval '1 minute' FROM ${work} WHERE returned`,
      ].map((sql) => ({ sql, params: sql.includes("$3") ? [prefix, orgId, o.contributors] : sql.includes("$2") ? [prefix, orgId] : [prefix] })));
    } finally {
      // Whatever happened, the schema gets its indexes back.
      await inParallel(databaseUrl, dropped.map((sql) => ({ sql, params: [] })));
      await db.query(`DROP TABLE ${work}`);
    }
    // Work in flight: the newest tasks of each project wait on the task node, a few are claimed.
    await db.query(
      `INSERT INTO "Task" (id, "projectId", "pipelineId", "nodeId", status, payload, "createdAt", "updatedAt", "claimEpoch")
       SELECT $1 || '-q' || i, $1 || '-p' || (i % $2), $1 || '-pl' || (i % $2), $1 || '-n' || (i % $2) || '-label',
              CASE WHEN i % 25 = 0 THEN 'claimed' ELSE 'queued' END, '{}', $3::timestamptz - (i % 3600) * interval '1 second',
              $3::timestamptz, (i % 25 = 0)::int
       FROM generate_series(1, 5000) i`,
      [prefix, o.projects, args.now],
    );
    await db.query(
      `INSERT INTO "Claim" (id, "projectId", "taskId", "nodeId", "userId", epoch, token, outcome, "claimedAt", "expiresAt")
       SELECT $1 || '-qc' || i, $1 || '-p' || (i % $2), $1 || '-q' || i, $1 || '-n' || (i % $2) || '-label', $1 || '-u' || (i % $4), 1,
              'seed', 'active', $3::timestamptz, $3::timestamptz + interval '30 minutes'
       FROM generate_series(25, 5000, 25) i`,
      [prefix, o.projects, args.now, o.contributors],
    );
    const raw = (Date.now() - t0) / 1000;
    log(`raw rows in ${raw.toFixed(1)} s; building aggregates`);
    await db.query(`SET session_replication_role = origin`);
    const t1 = Date.now();
    await db.query(`SELECT dashboard_rebuild($1)`, [orgId]);
    // As autovacuum would in time: statistics, and the visibility map that lets the
    // stabbing scans read the index alone.
    await db.query(`ANALYZE`);
    await db.query(`VACUUM (ANALYZE) "StatUserHour", "StatUserDay", "StatProjectHour", "StatProjectDay", "StatOrgHour", "StatOrgDay"`);
    const aggregates = (Date.now() - t1) / 1000;
    const counts = (
      await db.query(
        `SELECT (SELECT count(*)::int FROM "Submission" WHERE "orgId" = $1) AS submissions,
                (SELECT count(*)::int FROM "Review" WHERE "orgId" = $1) AS reviews,
                (SELECT count(*)::int FROM "Task" t JOIN "Project" p ON p.id = t."projectId" WHERE p."orgId" = $1) AS tasks,
                (SELECT count(*)::int FROM "OrgMember" WHERE "orgId" = $1) AS users`,
        [orgId],
      )
    ).rows[0];
    const projectIds = Array.from({ length: o.projects }, (_, p) => `${prefix}-p${p}`);
    return { orgId, adminId, projectIds, counts, seconds: { raw, aggregates } };
  } finally {
    await db.end();
  }
}

/** Runs statements at once, each on its own connection (dashboard triggers off there too). */
async function inParallel(databaseUrl: string, statements: Array<{ sql: string; params: unknown[] }>): Promise<void> {
  await Promise.all(
    statements.map(async ({ sql, params }) => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        await c.query(`SET session_replication_role = replica`);
        await c.query(`SET maintenance_work_mem = '256MB'`);
        await c.query(sql, params);
      } finally {
        await c.end();
      }
    }),
  );
}

/** Drops the secondary (non-unique) indexes of these tables when all are empty; returns their definitions. */
async function dropIndexesIfEmpty(db: pg.Client, tables: string[]): Promise<string[]> {
  for (const t of tables) if ((await db.query(`SELECT 1 FROM "${t}" LIMIT 1`)).rowCount) return [];
  const rows = (
    await db.query(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i WHERE i.indrelid = ANY ($1::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary`,
      [tables.map((t) => `"${t}"`)],
    )
  ).rows as Array<{ name: string; def: string }>;
  for (const r of rows) await db.query(`DROP INDEX ${r.name}`);
  return rows.map((r) => r.def);
}

async function main() {
  const { values } = parseArgs({
    options: {
      submissions: { type: "string", default: "1000000" },
      projects: { type: "string", default: "20" },
      contributors: { type: "string", default: "2000" },
      days: { type: "string", default: "120" },
    },
  });
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("Set DATABASE_URL to the (migrated) database to seed.");
  const seeded = await seedDashboard(url, {
    submissions: Number(values.submissions),
    projects: Number(values.projects),
    contributors: Number(values.contributors),
    days: Number(values.days),
    now: new Date(),
    log: (l) => console.log(l),
  });
  console.log(JSON.stringify(seeded, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
