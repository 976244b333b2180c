// The demo org shows the product from the first sign-in: every contributor type has
// a node with work (Bob reviews safety checks), and a past played through the claim
// engine fills the dashboards (24h, 7d, 30d) with data that agrees everywhere: task
// history, claims, the aggregate rows (equal to dashboard_rebuild) and the Redis queue
// (equal to a rebuild from PostgreSQL). Seeding again adds nothing.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_PASSWORD, seedDemoIfEmpty, type DemoContext } from "../../server/src/cli/demo";
import { migrate } from "../../server/src/infra/migrate";
import { playDemoHistory } from "../../server/src/modules/pipelines/demo-history";
import { ensureLoaded } from "../../server/src/queue/engine";
import { keysOf } from "../../server/src/queue/keys";
import { demoExtensions } from "../../server/src/workers";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { aggregatesOf } from "./dashboard.factories";

// Its own database: the demo only seeds an empty one.
const name = `pipelines_demo_${process.pid}_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: inject("databaseUrl") });
let t: TestApp;
let ctx: DemoContext;

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${name}`;
  await migrate(url.toString());
  t = await startTestApp({ databaseUrl: url.toString() });
  const started = performance.now();
  ctx = (await seedDemoIfEmpty(t.deps.db, demoExtensions(t.deps), { now: t.deps.clock.now(), history: (c) => playDemoHistory(t.deps, c) }))!;
  console.log(`demo seeded with its past in ${Math.round(performance.now() - started)} ms`);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

async function as(email: string) {
  const r = await client(t.url).post("/api/auth/login", { email, password: DEMO_PASSWORD });
  expect(r.status).toBe(200);
  return client(t.url, r.body.token);
}
const queueOf = async (email: string) => (await (await as(email)).get(`/api/projects/${ctx.projectId}/queue`)).body.items as Array<{ key: string; kind: string; available: number; canClaim: boolean }>;

describe("the demo's queues", () => {
  it("give Bob, the Safety Reviewer, a review node with work waiting", async () => {
    const items = await queueOf("bob@demo.test");
    expect(items).toEqual([expect.objectContaining({ key: "safety", kind: "review", canClaim: true })]);
    expect(items[0]!.available).toBeGreaterThan(0);
  });

  it("give every other contributor work too: evaluations (returned work included) and QA reviews", async () => {
    const alice = await queueOf("alice@demo.test");
    expect(alice.map((i) => i.key)).toEqual(["evaluate", "check"]);
    for (const i of alice) expect(i.available).toBeGreaterThan(0);
    const rita = await queueOf("rita@demo.test");
    expect(rita).toEqual([expect.objectContaining({ key: "qa", kind: "review" })]);
    expect(rita[0]!.available).toBeGreaterThan(0);
    // Work returned to its author waits for them alone.
    const kept = await t.deps.db.task.count({ where: { projectId: ctx.projectId, reworkUserId: ctx.users["alice@demo.test"], status: "queued" } });
    expect(kept).toBeGreaterThan(0);
  });
});

describe("the demo's dashboards", () => {
  const dashboard = async (path: string, timeframe: string) => (await (await as("admin@demo.test")).get(`${path}?timeframe=${timeframe}`)).body.widgets;

  it("show every widget for the last 7 days, on the project's and the org's dashboard", async () => {
    for (const path of [`/api/projects/${ctx.projectId}/dashboard`, `/api/orgs/${ctx.orgId}/dashboard`]) {
      const w = await dashboard(path, "7d");
      expect(w.activity.submissions.value, path).toBeGreaterThan(5);
      expect(w.activity.completedTasks.value).toBeGreaterThan(0);
      expect(w.activity.dailyActiveSubmitters.value).toBeGreaterThan(0);
      expect(w.activity.submissions.series.filter((p: { v: number }) => p.v > 0).length, "spread over several days").toBeGreaterThan(3);
      expect(w.pipelineCompletion.total).toBeGreaterThan(0);
      expect(w.pipelineCompletion.completed).toBeGreaterThan(0);
      expect(w.engagement.avgSubmissionsPerActiveContributor.value).toBeGreaterThan(1);
      expect(w.engagement.maxSubmissionsByContributor.value).toBeGreaterThan(1);
      // Some first reviews passed, some returned the work.
      expect(w.firstReviewPassRate.value).toBeGreaterThan(0);
      expect(w.firstReviewPassRate.value).toBeLessThan(1);
      expect(w.avgReviewsPerReviewNode.value).toBeGreaterThan(1);
    }
  });

  it("show the last 24 hours and a past beyond the last week", async () => {
    const path = `/api/projects/${ctx.projectId}/dashboard`;
    const day = await dashboard(path, "24h");
    expect(day.activity.submissions.value).toBeGreaterThan(0);
    expect(day.activity.completedTasks.value).toBeGreaterThan(0);
    const week = await dashboard(path, "7d");
    const month = await dashboard(path, "30d");
    expect(month.activity.submissions.value).toBeGreaterThan(week.activity.submissions.value);
    expect(month.activity.completedTasks.value).toBeGreaterThan(week.activity.completedTasks.value);
    expect(week.activity.submissions.previous, "the week before has activity too").toBeGreaterThan(0);
  });
});

describe("the demo's past", () => {
  it("happened before the seed, through claims that all ended (submitted, released, expired)", async () => {
    const p = ctx.projectId;
    const claims = await t.deps.db.claim.groupBy({ by: ["outcome"], where: { projectId: p }, _count: true });
    expect(Object.fromEntries(claims.map((c) => [c.outcome, c._count]))).toEqual({ submitted: expect.any(Number), released: 1, expired: 1 });
    const [latest] = await t.deps.db.$queryRawUnsafe<Array<{ at: Date }>>(
      `SELECT greatest((SELECT max("createdAt") FROM "Submission" WHERE "projectId" = $1), (SELECT max("createdAt") FROM "Review" WHERE "projectId" = $1),
         (SELECT max(e."createdAt") FROM "TaskEvent" e JOIN "Task" t ON t.id = e."taskId" WHERE t."projectId" = $1),
         (SELECT max("endedAt") FROM "Claim" WHERE "projectId" = $1), (SELECT max("createdAt") FROM "Task" WHERE "projectId" = $1)) AS at`,
      p,
    );
    expect(latest!.at.getTime()).toBeLessThanOrEqual(ctx.now.getTime());
    // Completed tasks are at their end node; every other one waits at a work node.
    const tasks = await t.deps.db.task.findMany({ where: { projectId: p }, include: { pipeline: { include: { nodes: true } } } });
    for (const task of tasks) {
      const node = task.pipeline.nodes.find((n) => n.id === task.nodeId)!;
      expect([task.status, node.kind === "end", task.completedAt !== null]).toEqual(task.status === "completed" ? ["completed", true, true] : ["queued", false, false]);
    }
    expect(tasks.filter((x) => x.status === "completed").length).toBeGreaterThan(10);
  });

  it("left dashboard aggregates equal to dashboard_rebuild() and a Redis queue equal to a rebuild from PostgreSQL", async () => {
    const kept = await aggregatesOf(t.deps, ctx.orgId);
    expect(kept.length).toBeGreaterThan(50);
    await t.deps.db.$executeRawUnsafe(`SELECT dashboard_rebuild($1)`, ctx.orgId);
    expect(await aggregatesOf(t.deps, ctx.orgId)).toEqual(kept);

    const before = await redisState(ctx.projectId);
    const waiting = await t.deps.db.task.findMany({ where: { projectId: ctx.projectId, status: { not: "completed" } }, select: { id: true } });
    expect(Object.keys(before[keysOf(ctx.projectId).at] as object).sort(), "no completed task is open in Redis").toEqual(waiting.map((x) => x.id).sort());
    expect(before[keysOf(ctx.projectId).claim], "no claim held").toBeUndefined();
    await t.deps.redis.del(keysOf(ctx.projectId).epoch);
    await ensureLoaded(t.deps, ctx.projectId);
    expect(await redisState(ctx.projectId)).toEqual(before);
  });

  it("is seeded once: a second start adds nothing", async () => {
    const count = () => Promise.all([t.deps.db.organization.count(), t.deps.db.task.count(), t.deps.db.submission.count(), t.deps.db.review.count()]);
    const before = await count();
    expect(await seedDemoIfEmpty(t.deps.db, demoExtensions(t.deps), { history: (c) => playDemoHistory(t.deps, c) })).toBeNull();
    expect(await count()).toEqual(before);
  });
});

/** Every key of the project's queue state (but its version and lock keys), as comparable values; zero counters dropped. */
async function redisState(projectId: string): Promise<Record<string, unknown>> {
  const k = keysOf(projectId);
  const skip = new Set([k.epoch, k.lock, k.cfg, k.staleMarks, k.registry]);
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await t.deps.redis.scan(cursor, "MATCH", `${k.prefix}*`, "COUNT", 1000);
    cursor = next;
    keys.push(...found.filter((x) => !skip.has(x)));
  } while (cursor !== "0");
  const state: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const type = await t.deps.redis.type(key);
    const value =
      type === "zset" ? await t.deps.redis.zrange(key, 0, -1, "WITHSCORES")
      : type === "hash" ? Object.fromEntries(Object.entries(await t.deps.redis.hgetall(key)).filter(([, v]) => v !== "0").sort())
      : type === "set" ? (await t.deps.redis.smembers(key)).sort()
      : await t.deps.redis.get(key);
    if (Array.isArray(value) ? value.length : value && typeof value === "object" ? Object.keys(value).length : value) state[key] = value;
  }
  return state;
}
