// Two instances starting on one fresh database with DEMO on: the seed, its past
// included, runs under one PostgreSQL session lock (cli/demo.ts DEMO_SEED_LOCK), so
// one instance seeds and the other waits, then finds the org and skips. Before, the
// second saw the org as soon as the seed's transaction committed and started its
// sweeper while the first still played the past, whose claims (taken at a clock moved
// back) were long overdue in real time: it expired them, the past stopped half way
// (claim_lost) and people were told of expiries weeks old. Two first starts at once
// both found the database empty, and the second failed on a unique email.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoIfEmpty, type DemoContext } from "../../server/src/cli/demo";
import { startRedisServer, type Started } from "../../server/src/infra/embedded";
import { migrate } from "../../server/src/infra/migrate";
import { supportPlan } from "../../server/src/modules/pipelines/demo";
import { safetyPlan } from "../../server/src/modules/pipelines/demo-safety";
import { demoExtensions, seedDemoBeforeWorkers, startWorkers, type Workers } from "../../server/src/workers";
import { startTestApp, type TestApp } from "../helpers/app";

const admin = new pg.Client({ connectionString: inject("databaseUrl") });
const databases: string[] = [];
const apps: TestApp[] = [];
const workers: Workers[] = [];
let redis: Started;

beforeAll(async () => {
  await admin.connect();
  redis = await startRedisServer(); // its own: these instances run their sweepers over every loaded project
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  for (const t of apps) await t.close();
  await redis?.stop();
  for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

/** A fresh, migrated database of this file's own. */
async function freshDatabase(): Promise<string> {
  const name = `pipelines_demo2_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${name}`);
  databases.push(name);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return url.toString();
}

/** An instance as main.ts starts one: the demo seed (or the wait for one), then the workers, its sweeper every 20 ms. */
async function instance(databaseUrl: string) {
  const t = await startTestApp({ databaseUrl, redisUrl: redis.url, config: { SWEEP_INTERVAL_MS: 20 } });
  apps.push(t);
  return {
    t,
    async start(): Promise<DemoContext | null> {
      const seeded = await seedDemoBeforeWorkers(t.deps, true);
      workers.push(await startWorkers(t.deps, t.app));
      return seeded;
    },
  };
}

describe("two instances starting with the demo on one fresh database", () => {
  it("one starting while the other plays the past waits for it, then skips: the past is whole, nothing of it stamped now", async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([instance(url), instance(url)]);
    const first = a.start();
    // The second starts once the first's seed committed and its past is under way.
    for (let i = 0; i < 2000 && !(await a.t.deps.db.claim.count()); i++) await new Promise((r) => setTimeout(r, 5));
    expect(await a.t.deps.db.claim.count()).toBeGreaterThan(0);
    const [ctx, second] = await Promise.all([first, b.start()]);
    expect(ctx).not.toBeNull();
    expect(second).toBeNull();

    // Every step of the plan played: one claim each, all ended as planned.
    const steps = [...supportPlan(ctx!.now), ...safetyPlan(ctx!.now)].flatMap((p) => p.steps);
    const db = a.t.deps.db;
    const claims = await db.claim.groupBy({ by: ["outcome"], _count: true });
    expect(Object.fromEntries(claims.map((c) => [c.outcome, c._count]))).toEqual({ submitted: steps.length - 2, released: 1, expired: 1 });
    const [latest] = await db.$queryRawUnsafe<Array<{ at: Date }>>(
      `SELECT greatest((SELECT max("endedAt") FROM "Claim"), (SELECT max("createdAt") FROM "TaskEvent")) AS at`,
    );
    expect(latest!.at.getTime()).toBeLessThanOrEqual(ctx!.now.getTime());
    expect(await db.notification.count(), "nothing told about the past").toBe(0);
  }, 120_000);

  it("two first starts at once: one seeds, the other waits and finds the org", async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([instance(url), instance(url)]);
    const seeded = await Promise.all([a, b].map((x) => seedDemoIfEmpty(x.t.deps.db, demoExtensions(x.t.deps))));
    expect(seeded.filter((s) => s !== null)).toHaveLength(1);
    expect(await a.t.deps.db.organization.count()).toBe(1);
  }, 60_000);
});
