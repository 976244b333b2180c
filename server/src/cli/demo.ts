// The demo organization seeded on an empty database by the one-command start: its
// people, project and types here; each area's content (pipelines, runs, settings) in
// the same transaction through extensions; then, once that committed, its past
// (evaluations, reviews, completions over the last weeks) played through the claim engine.
// All of it under one PostgreSQL session lock, so a second instance starting meanwhile
// waits, then finds the org and skips (see DEMO_SEED_LOCK).
import { hashPassword } from "../auth/passwords";
import { connectionOf, type Db } from "../infra/prisma";

export const DEMO_PASSWORD = "pipelines-demo";

export const DEMO_USERS = [
  { email: "admin@demo.test", name: "Ada Admin", note: "Org Admin, also a contributor (Domain Expert)" },
  { email: "owner@demo.test", name: "Owen Owner", note: "Project Owner" },
  { email: "viewer@demo.test", name: "Vera Viewer", note: "Project Viewer (read-only)" },
  { email: "alice@demo.test", name: "Alice Evaluator", note: "Contributor, Domain Expert" },
  { email: "bob@demo.test", name: "Bob Evaluator", note: "Contributor, Safety Reviewer (reviews safety checks)" },
  { email: "rita@demo.test", name: "Rita Reviewer", note: "Contributor, QA Specialist (reviews)" },
] as const;

/** Hooks later areas use to add demo content (pipelines, tasks) to the seeded project. */
export type DemoExtension = (db: Db, ctx: DemoContext) => Promise<void>;
export interface DemoContext {
  orgId: string;
  projectId: string;
  users: Record<string, string>; // email → id
  types: Record<string, string>; // type name → id
  /** When the seed runs (the server's clock); the demo's past is placed before it. */
  now: Date;
}

/** The demo's past, played after the seed's transaction committed (it goes through the claim engine). */
export type DemoHistory = (ctx: DemoContext) => Promise<void>;

/** How far back the demo org's story starts: its creation, 4 weeks before the seed. */
export const DEMO_AGE_DAYS = 28;

/**
 * The demo seed's advisory lock, `pg_advisory_lock(7303, 0)`: a session lock held
 * from the emptiness check to the end of the past. The past takes real claims at a
 * clock moved back, so their deadlines are long gone in real time: another
 * instance's sweeper started meanwhile would expire them (the past cut short, and
 * notices about it). And two first starts would both find the database empty.
 * So every instance waits on it before starting its workers. The other keys:
 * 7301 the claim engine's (per project, `pipelines_claim`), 7302 a project's
 * lifecycle (per project, modules/projects/lock.ts), 7304 an agent's edits
 * (per agent, modules/agents/service.ts), 72707369 the migrator (infra/migrate.ts).
 */
export const DEMO_SEED_LOCK = 7303;

export async function seedDemoIfEmpty(
  db: Db,
  extensions: DemoExtension[] = [],
  opts: { now?: Date; history?: DemoHistory } = {},
): Promise<DemoContext | null> {
  return underDemoLock(db, () => seed(db, extensions, opts));
}

/** For an instance that does not seed: returns once no seed (its past included) is under way. */
export async function demoSeedSettled(db: Db): Promise<void> {
  await underDemoLock(db, async () => {});
}

/** On one connection of the client's pool, held for the whole of `fn`: a session lock is the connection's. */
async function underDemoLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const pool = connectionOf(db)?.pool;
  if (!pool) throw new Error("the demo seed needs a client made by createPrisma");
  const c = await pool.connect();
  try {
    await c.query("SELECT pg_advisory_lock($1::int, 0)", [DEMO_SEED_LOCK]);
    return await fn();
  } finally {
    // A connection that broke lost the lock with it: the pool replaces it.
    const err = await c.query("SELECT pg_advisory_unlock($1::int, 0)", [DEMO_SEED_LOCK]).then(() => undefined, (e: Error) => e);
    try {
      c.release(err);
    } catch {
      // released already, as broken, by the pool's own watch (infra/prisma.ts)
    }
  }
}

async function seed(db: Db, extensions: DemoExtension[], opts: { now?: Date; history?: DemoHistory }): Promise<DemoContext | null> {
  if ((await db.organization.count()) > 0) return null;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = opts.now ?? new Date();
  const createdAt = new Date(now.getTime() - DEMO_AGE_DAYS * 86_400_000);
  const ctx = await db.$transaction(async (tx) => {
    const org = await tx.organization.create({ data: { name: "Demo Org", createdAt } });
    const users: Record<string, string> = {};
    for (const u of DEMO_USERS) {
      const row = await tx.user.create({ data: { email: u.email, name: u.name, passwordHash, createdAt } });
      users[u.email] = row.id;
      await tx.orgMember.create({ data: { orgId: org.id, userId: row.id, role: u.email.startsWith("admin") ? "admin" : "member", createdAt, joinedAt: createdAt } });
    }
    const project = await tx.project.create({
      data: { orgId: org.id, name: "Agent Evals", description: "Human evaluation of the support agent's runs", createdAt, updatedAt: createdAt },
    });
    const types: Record<string, string> = {};
    const typeDefs = [
      { name: "Domain Expert", claimLimit: 3, poolLimit: 10 },
      { name: "Safety Reviewer", claimLimit: 2, poolLimit: null },
      {
        name: "QA Specialist",
        claimLimit: 5,
        poolLimit: null,
        schedule: { timezone: "UTC", windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "24:00" }], exceptions: [] },
      },
    ];
    for (const t of typeDefs) types[t.name] = (await tx.contributorType.create({ data: { projectId: project.id, ...t, createdAt, updatedAt: createdAt } })).id;
    const members: Array<[string, string, string | null]> = [
      ["admin@demo.test", "contributor", types["Domain Expert"]!],
      ["owner@demo.test", "owner", null],
      ["viewer@demo.test", "viewer", null],
      ["alice@demo.test", "contributor", types["Domain Expert"]!],
      ["bob@demo.test", "contributor", types["Safety Reviewer"]!],
      ["rita@demo.test", "contributor", types["QA Specialist"]!],
    ];
    for (const [email, role, typeId] of members)
      await tx.projectMember.create({ data: { projectId: project.id, userId: users[email]!, role, contributorTypeId: typeId, createdAt } });
    const ctx: DemoContext = { orgId: org.id, projectId: project.id, users, types, now };
    for (const ext of extensions) await ext(tx as unknown as Db, ctx);
    return ctx;
  });
  // Not in the transaction: the engine writes PostgreSQL and Redis as it does for any claim.
  if (opts.history) await opts.history(ctx);
  return ctx;
}
