// Losing Redis: a FLUSHALL in the middle of work (state rebuilt from
// PostgreSQL under a lock: nothing lost, nothing held twice, no token reused,
// limits still hold), and Redis unreachable (claims answer 503 and write
// nothing; work resumes once it is back). Runs on a redis-server of its own.
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type Started } from "../../server/src/infra/embedded";
import { bumpConfig, getCatalog } from "../../server/src/queue/engine";
import { keysOf } from "../../server/src/queue/keys";
import { sqlOf } from "../../server/src/queue/pg";
import { nextGeneration } from "../../server/src/queue/sql";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { claimAt, goodAnswers, importTasks, mustClaim, queueOf, queueProject, submitAs, type QueueProject } from "../helpers/queue";
import type { TestUser } from "../helpers/factories";

let redis: Started;
let port: number;
let admin: Redis;
let t: TestApp;
beforeAll(async () => {
  redis = await startRedisServer();
  port = Number(new URL(redis.url).port);
  admin = new Redis(redis.url).on("error", () => {});
  t = await startTestApp({ redisUrl: redis.url, config: { RATE_LIMIT_PER_MIN: 1_000_000 } });
  t.deps.redis.on("error", () => {}); // expected while the server is down
});
afterAll(async () => {
  await t.close();
  admin.disconnect();
  await redis.stop();
});

async function expectConsistent(q: QueueProject) {
  const claims = await t.deps.db.claim.findMany({ where: { projectId: q.project.id }, orderBy: [{ taskId: "asc" }, { epoch: "asc" }] });
  expect(new Set(claims.map((c) => c.token)).size).toBe(claims.length);
  const byTask = new Map<string, typeof claims>();
  for (const c of claims) byTask.set(c.taskId, [...(byTask.get(c.taskId) ?? []), c]);
  for (const list of byTask.values()) {
    // epochs 1, 2, 3, … in claim order: a token never repeats for its task
    expect(list.map((c) => c.epoch)).toEqual(list.map((_, i) => i + 1));
    expect(list.filter((c) => c.outcome === "active").length).toBeLessThanOrEqual(1);
    // one claim ended before the next began
    for (let i = 1; i < list.length; i++) expect(list[i]!.claimedAt.getTime()).toBeGreaterThanOrEqual(list[i - 1]!.endedAt!.getTime());
  }
}

describe("FLUSHALL in the middle of work", () => {
  it("keeps held claims, limits and order through a rebuild", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 2, people: 2 }, { name: "Reviewers" }] });
    const ids = await importTasks(q, [{ payload: { n: 0 }, priority: 5 }, { payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const a1 = await mustClaim(q, alice!, "evaluate");
    const a2 = await mustClaim(q, alice!, "evaluate");
    expect([a1.taskId, a2.taskId]).toEqual([ids[0], ids[1]]);
    const b1 = await mustClaim(q, bob!, "evaluate");
    expect((await client(t.url, bob!.token).delete(`/api/claims/${b1.id}`, { token: b1.token })).status).toBe(204);

    await admin.flushall();

    // alice is still at her limit; bob gets the task he released, at epoch 2
    expect((await claimAt(q, alice!, "evaluate")).body.error.code).toBe("claim_limit_reached");
    const b2 = await mustClaim(q, bob!, "evaluate");
    expect(b2.taskId).toBe(ids[2]);
    expect(b2.token.split(".")[0]).toBe("2");
    const b3 = await mustClaim(q, bob!, "evaluate");
    expect(b3.taskId).toBe(ids[3]);
    expect((await claimAt(q, bob!, "evaluate")).body.error.code).toBe("claim_limit_reached");
    // claims held across the flush still submit, with their old tokens
    expect((await submitAs(q, alice!, a1, { answers: goodAnswers })).status).toBe(201);
    expect((await client(t.url, alice!.token).post(`/api/claims/${a2.id}/heartbeat`, { token: a2.token })).status).toBe(200);
    expect((await queueOf(q, q.types.Reviewers!.people[0]!))[0]).toMatchObject({ key: "review", available: 1 });
    await expectConsistent(q);
  });

  it("loses no task and holds none twice when Redis is wiped twice under concurrent work", async () => {
    const N = 80;
    const q = await queueProject(t.deps, t.url, {
      lanes: [{ name: "Evaluators", claimLimit: 2, poolLimit: 8, people: 6 }, { name: "Reviewers", claimLimit: 2, people: 3 }],
    });
    const ids = await importTasks(q, Array.from({ length: N }, (_, i) => ({ payload: { i }, priority: i % 3 })));
    let passed = 0;
    const errors: string[] = [];
    const work = async (who: TestUser, node: string, body: Record<string, unknown>) => {
      while (passed < N && errors.length === 0) {
        const r = await claimAt(q, who, node);
        if (r.status === 201) {
          const s = await submitAs(q, who, r.body.claim, body);
          if (s.status !== 201) errors.push(`submit ${s.status} ${s.text}`);
          else if (node === "review") passed++;
        } else if (r.status === 409 && ["queue_empty", "claim_limit_reached", "pool_limit_reached"].includes(r.body.error.code)) {
          await sleep(3);
        } else errors.push(`claim ${r.status} ${r.text}`);
      }
    };
    const wiper = async () => {
      for (const at of [N / 4, N / 2]) {
        while (passed < at && errors.length === 0) await sleep(2);
        await admin.flushall();
      }
    };
    await Promise.all([
      ...q.types.Evaluators!.people.map((p) => work(p, "evaluate", { answers: goodAnswers })),
      ...q.types.Reviewers!.people.map((p) => work(p, "review", { verdict: "pass" })),
      wiper(),
    ]);
    expect(errors).toEqual([]);
    const tasks = await t.deps.db.task.findMany({ where: { id: { in: ids } } });
    expect(tasks.filter((x) => x.status === "completed")).toHaveLength(N);
    const subs = await t.deps.db.submission.groupBy({ by: ["taskId"], where: { projectId: q.project.id }, _count: { _all: true } });
    expect(subs.length).toBe(N);
    expect(subs.every((s) => s._count._all === 1)).toBe(true);
    expect(await t.deps.db.review.count({ where: { projectId: q.project.id } })).toBe(N);
    expect(await t.deps.db.claim.count({ where: { projectId: q.project.id, outcome: "active" } })).toBe(0);
    await expectConsistent(q);
    expect(Number(await admin.get(keysOf(q.project.id).epoch))).toBeGreaterThanOrEqual(3);
  });
});

describe("a rebuild that never finished", () => {
  it("never hands a config version an instance cached before a wipe to a later change", async () => {
    const q = await queueProject(t.deps, t.url);
    const cached = (await getCatalog(t.deps, q.project.id))!.version;
    await admin.del(keysOf(q.project.id).cfg); // the key lost with a wipe
    for (let i = 0; i < 10; i++) {
      await bumpConfig(t.deps, q.project.id);
      expect(await admin.get(keysOf(q.project.id).cfg)).not.toBe(cached);
    }
  });

  it("recovers when PostgreSQL's generation moved on but Redis still holds the older one", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: {} }, { payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    await mustClaim(q, alice, "evaluate");
    const before = await admin.get(keysOf(q.project.id).epoch);
    // Another rebuild bumped the generation, then died before writing Redis.
    await nextGeneration(sqlOf(t.deps), q.project.id, new Date());
    const c = await mustClaim(q, alice, "evaluate");
    expect(c.token.split(".")[0]).toBe("1");
    expect(Number(await admin.get(keysOf(q.project.id).epoch))).toBeGreaterThan(Number(before));
    await expectConsistent(q);
  });
});

describe("Redis unreachable", () => {
  it("answers 503 to claims and writes nothing; work resumes once Redis is back", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id, other] = await importTasks(q, [{ payload: {} }, { payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const held = await mustClaim(q, alice, "evaluate");
    const before = await t.deps.db.claim.count({ where: { projectId: q.project.id } });

    let late = "";
    await redis.stop();
    try {
      const res = await claimAt(q, alice, "evaluate");
      expect([res.status, res.body.error.code]).toEqual([503, "unavailable"]);
      expect((await client(t.url, alice.token).get(`/api/projects/${q.project.id}/queue`)).status).toBe(503);
      expect(await t.deps.db.claim.count({ where: { projectId: q.project.id } })).toBe(before);
      expect(await t.deps.db.task.findUniqueOrThrow({ where: { id: other } })).toMatchObject({ status: "queued", claimEpoch: 0 });
      // The held claim's submit is decided by PostgreSQL alone; Redis catches up by a rebuild.
      expect((await submitAs(q, alice, held, { answers: goodAnswers })).status).toBe(201);
      // So is an import: committed once (a retry would duplicate it), queued after the rebuild.
      const imported = await client(t.url, q.owner.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { late: true } }] });
      expect(imported.status).toBe(201);
      late = imported.body.taskIds[0];
    } finally {
      redis = await startRedisServer({ port });
    }
    admin.disconnect();
    admin = new Redis(redis.url).on("error", () => {});

    let res = await claimAt(q, alice, "evaluate");
    for (let i = 0; i < 100 && res.status === 503; i++) {
      await sleep(50);
      res = await claimAt(q, alice, "evaluate");
    }
    expect(res.status).toBe(201);
    expect(res.body.claim.taskId).toBe(other);
    expect(held.taskId).toBe(id);
    expect((await mustClaim(q, q.types.Evaluators!.people[1]!, "evaluate")).taskId).toBe(late);
    expect((await queueOf(q, q.types.Reviewers!.people[0]!))[0]).toMatchObject({ available: 1 });
    await expectConsistent(q);
  });
});
