// A project to measure against, written straight to PostgreSQL (the rows the
// product's own routes would write): an org, contributors of one type, a
// pipeline "task node → end" whose form has one rating, and N queued tasks
// inserted in one statement. Redis is not touched: the engine builds the
// project's queue state from PostgreSQL on first use, as after any restart.
import pg from "pg";
import { signToken } from "../../server/src/auth/jwt";
import { systemClock } from "../../server/src/infra/clock";

export interface BenchProject {
  orgId: string;
  projectId: string;
  pipelineId: string;
  nodeId: string;
  endNodeId: string;
  typeId: string;
  contributors: Array<{ id: string; token: string }>;
  /** Sample answers that fit the node's form. */
  answers: Record<string, unknown>;
}

export interface SeedOptions {
  contributors: number;
  tasks: number;
  /** Claims one contributor may hold at once (the type's claim limit). */
  claimLimit?: number;
  jwtSecret: string;
  /** An existing org to add the project and its contributors to (default: a new one). */
  orgId?: string;
}

const FORM = { criteria: [{ key: "quality", label: "Quality", kind: "rating", required: true, min: 1, max: 5 }] };

export async function seedProject(databaseUrl: string, opts: SeedOptions): Promise<BenchProject> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const one = async (sql: string, args: unknown[] = []) => (await c.query(sql, args)).rows[0] as Record<string, string>;
    const orgId = opts.orgId ?? (await one(`INSERT INTO "Organization" (name) VALUES ('Bench org') RETURNING id`)).id!;
    const projectId = (await one(`INSERT INTO "Project" ("orgId", name) VALUES ($1, 'Bench project') RETURNING id`, [orgId])).id!;
    const typeId = (
      await one(`INSERT INTO "ContributorType" ("projectId", name, "claimLimit") VALUES ($1, 'Rater', $2) RETURNING id`, [projectId, opts.claimLimit ?? 5])
    ).id!;
    const users = await c.query(
      `INSERT INTO "User" (email, name, "passwordHash")
       SELECT 'bench-' || i || '-' || $1 || '@bench.local', 'Bench ' || i, 'not-a-login' FROM generate_series(1, $2) i RETURNING id`,
      [projectId.slice(0, 8), opts.contributors],
    );
    const ids = users.rows.map((r) => r.id as string);
    await c.query(`INSERT INTO "OrgMember" ("orgId", "userId", role) SELECT $1, u, 'member' FROM unnest($2::text[]) u`, [orgId, ids]);
    await c.query(
      `INSERT INTO "ProjectMember" ("projectId", "userId", role, "contributorTypeId") SELECT $1, u, 'contributor', $3 FROM unnest($2::text[]) u`,
      [projectId, ids, typeId],
    );
    const pipelineId = (await one(`INSERT INTO "Pipeline" ("projectId", name) VALUES ($1, 'Bench pipeline') RETURNING id`, [projectId])).id!;
    const nodeId = (
      await one(
        `INSERT INTO "PipelineNode" ("pipelineId", "projectId", key, kind, name, position, "contributorTypeId", form)
         VALUES ($1, $2, 'rate', 'task', 'Rate', 0, $3, $4) RETURNING id`,
        [pipelineId, projectId, typeId, JSON.stringify(FORM)],
      )
    ).id!;
    const endNodeId = (
      await one(`INSERT INTO "PipelineNode" ("pipelineId", "projectId", key, kind, name, position) VALUES ($1, $2, 'done', 'end', 'Done', 1) RETURNING id`, [
        pipelineId,
        projectId,
      ])
    ).id!;
    await addTasks(c, { projectId, pipelineId, nodeId }, opts.tasks);
    return {
      orgId,
      projectId,
      pipelineId,
      nodeId,
      endNodeId,
      typeId,
      contributors: ids.map((id) => ({ id, token: signToken(opts.jwtSecret, id, systemClock) })),
      answers: { quality: 4 },
    };
  } finally {
    await c.end();
  }
}

/** Inserts `n` queued tasks at the node in batches (payloads of a few hundred bytes, like a short agent run). */
export async function addTasks(c: pg.Client | pg.Pool, at: { projectId: string; pipelineId: string; nodeId: string }, n: number): Promise<void> {
  for (let i = 0; i < n; i += 50_000) {
    await c.query(
      `INSERT INTO "Task" ("projectId", "pipelineId", "nodeId", payload, "createdAt")
       SELECT $1, $2, $3, jsonb_build_object('prompt', 'Evaluate run ' || g, 'transcript', repeat('step ', 40)),
              now() - make_interval(secs => ($5 - g) / 1000.0)
       FROM generate_series($4::int + 1, $4::int + $6::int) g`,
      [at.projectId, at.pipelineId, at.nodeId, i, n, Math.min(50_000, n - i)],
    );
  }
}
