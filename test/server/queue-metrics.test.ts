// /metrics carries what an operator alerts on about the work queues: claims by outcome
// (taken or refused, then submitted, released, expired), reviews, completions,
// notifications, rebuilds after Redis lost a project's state, and the depth of each
// project's queue read from Redis at scrape. Read here by parsing the exposition text.
// On a redis-server of its own: the depth gauges read every loaded project.
import calculateSlot from "cluster-key-slot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type Started } from "../../server/src/infra/embedded";
import { ManualClock } from "../../server/src/infra/clock";
import { nodeCounts } from "../../server/src/queue/engine";
import { keysOf } from "../../server/src/queue/keys";
import { sweepOnce } from "../../server/src/queue/sweeper";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { goodAnswers, importTasks, mustClaim, queueOf, queueProject, submitAs, claimAt, type QueueProject } from "../helpers/queue";

let redis: Started;
let t: TestApp;
const clock = new ManualClock("2026-06-01T10:00:00Z");
beforeAll(async () => {
  redis = await startRedisServer();
  // Workers: the notification triggers. Depths read afresh at every scrape.
  t = await startTestApp({ redisUrl: redis.url, clock, workers: true, metrics: { cacheMs: 0 } });
}, 60_000);
afterAll(async () => {
  await t.close();
  await redis.stop();
});

/** Every sample of the exposition, keyed `name{label="v",…}` with labels sorted. */
async function scrape(): Promise<Map<string, number>> {
  const r = await client(t.url).call("GET", "/metrics");
  expect(r.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of r.text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? "").match(/\w+="(?:[^"\\]|\\.)*"/g)?.sort().join(",") ?? "";
    samples.set(`${m[1]}{${labels}}`, Number(m[3]));
  }
  return samples;
}
const key = (name: string, labels: Record<string, string> = {}) =>
  `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(",")}}`;
const delta = (before: Map<string, number>, after: Map<string, number>, name: string, labels?: Record<string, string>) =>
  (after.get(key(name, labels)) ?? 0) - (before.get(key(name, labels)) ?? 0);

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++, await new Promise((r) => setTimeout(r, 50))) if (await check()) return;
  throw new Error(`still not: ${what}`);
}

describe("queue counters on /metrics", () => {
  let q: QueueProject;
  beforeAll(async () => {
    q = await queueProject(t.deps, t.url, { leaseSeconds: 60 });
  });

  it("count claims taken and refused, then submitted, released and expired; reviews, completions and notifications", async () => {
    await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    const [ann, ben] = q.types.Evaluators!.people;
    const [rev] = q.types.Reviewers!.people;
    const before = await scrape();

    expect((await claimAt(q, rev!, "review")).body.error.code).toBe("queue_empty");
    const a = await mustClaim(q, ann!, "evaluate");
    expect((await submitAs(q, ann!, a, { answers: goodAnswers })).status).toBe(201);
    const b = await mustClaim(q, ben!, "evaluate");
    expect((await client(t.url, ben!.token).delete(`/api/claims/${b.id}`, { token: b.token })).status).toBe(204);
    await mustClaim(q, ben!, "evaluate");
    clock.advance(61_000);
    expect((await sweepOnce(t.deps, { projects: [q.project.id] })).expired).toBe(1);
    const r = await mustClaim(q, rev!, "review");
    expect((await submitAs(q, rev!, r, { verdict: "pass" })).status).toBe(201);
    // review_ready went to the reviewers after the evaluation (stored by the workers after the event).
    await until("notifications counted", async () => delta(before, await scrape(), "pipelines_notifications_total", { type: "review_ready" }) >= 2);

    const after = await scrape();
    expect(delta(before, after, "pipelines_claims_total", { outcome: "ok" })).toBe(4);
    expect(delta(before, after, "pipelines_claims_total", { outcome: "queue_empty" })).toBe(1);
    expect(delta(before, after, "pipelines_claims_ended_total", { outcome: "submitted" })).toBe(2);
    expect(delta(before, after, "pipelines_claims_ended_total", { outcome: "released" })).toBe(1);
    expect(delta(before, after, "pipelines_claims_ended_total", { outcome: "expired" })).toBe(1);
    expect(delta(before, after, "pipelines_reviews_total", { verdict: "pass" })).toBe(1);
    expect(delta(before, after, "pipelines_tasks_completed_total")).toBe(1);
    expect(delta(before, after, "pipelines_notifications_total", { type: "claim_expired" })).toBe(1);
  });

  it("report each project's ready tasks and held claims as the queue counts them, and leases the sweeper missed", async () => {
    const [ann] = q.types.Evaluators!.people;
    await importTasks(q, [{ payload: { n: 4 } }, { payload: { n: 5 } }]);
    await mustClaim(q, ann!, "evaluate");
    const counts = await nodeCounts(t.deps, q.project.id);
    const ready = counts.reduce((n, c) => n + c.available, 0);
    expect(ready).toBeGreaterThan(0);
    expect((await queueOf(q, ann!)).find((n) => n.key === "evaluate")!.available).toBe(counts[0]!.available);

    let m = await scrape();
    expect(m.get(key("pipelines_queue_ready_tasks", { project: q.project.id }))).toBe(ready);
    expect(m.get(key("pipelines_queue_active_claims", { project: q.project.id }))).toBe(1);
    expect(m.get(key("pipelines_queue_overdue_claims"))).toBe(0);
    // The lease ends; a minute later, with no sweeper run, it is overdue. The sweep returns it.
    clock.advance(121_000);
    m = await scrape();
    expect(m.get(key("pipelines_queue_overdue_claims"))).toBe(1);
    await sweepOnce(t.deps, { projects: [q.project.id] });
    m = await scrape();
    expect(m.get(key("pipelines_queue_overdue_claims"))).toBe(0);
    expect(m.get(key("pipelines_queue_ready_tasks", { project: q.project.id }))).toBe(ready + 1);
    expect(m.get(key("pipelines_queue_active_claims", { project: q.project.id }))).toBe(0);
  });

  it("count rebuilds after Redis lost a project's state, with their duration", async () => {
    const before = await scrape();
    await t.deps.redis.del(keysOf(q.project.id).epoch);
    const [ann] = q.types.Evaluators!.people;
    await queueOf(q, ann!); // the next read rebuilds it
    const after = await scrape();
    expect(delta(before, after, "pipelines_queue_rebuilds_total", { outcome: "ok" })).toBe(1);
    expect(delta(before, after, "pipelines_queue_rebuild_seconds_count")).toBe(1);
    expect(delta(before, after, "pipelines_queue_rebuild_seconds_sum")).toBeGreaterThan(0);
  });
});

describe("queue depth reading", () => {
  it("reads each project in a pipeline of its own, so on Redis Cluster no pipeline spans two slots", async () => {
    const own = await startTestApp({ redisUrl: redis.url, clock, metrics: { cacheMs: 0 } });
    // The keys of each pipeline the instance sends (ioredis Cluster refuses one whose keys span slots).
    const pipelines: string[][] = [];
    const make = own.deps.redis.pipeline.bind(own.deps.redis);
    own.deps.redis.pipeline = ((...a: Parameters<typeof make>) => {
      const pipe = make(...a) as ReturnType<typeof make> & { sendCommand(c: { getKeys(): unknown[] }): unknown };
      const keys: string[] = [];
      pipelines.push(keys);
      const send = pipe.sendCommand.bind(pipe);
      pipe.sendCommand = (c) => {
        keys.push(...c.getKeys().map(String));
        return send(c);
      };
      return pipe;
    }) as typeof make;
    try {
      for (let i = 0; i < 2; i++) {
        const p = await queueProject(own.deps, own.url);
        await importTasks(p, [{ payload: { i } }]);
        await queueOf(p, p.types.Evaluators!.people[0]!); // loaded
      }
      expect((await own.deps.redis.smembers("q:projects")).length).toBeGreaterThan(1);
      pipelines.length = 0;
      const r = await client(own.url).call("GET", "/metrics");
      expect(r.text).toMatch(/^pipelines_queue_ready_tasks\{/m);
      expect(pipelines.length).toBeGreaterThan(1);
      expect(pipelines.filter((keys) => new Set(keys.map((k) => calculateSlot(k))).size > 1)).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

describe("queue depth labels", () => {
  it("stay bounded: past the deepest projects, the rest are summed as project=\"_other\"", async () => {
    const small = await startTestApp({ redisUrl: redis.url, clock, metrics: { cacheMs: 0, maxProjects: 1 } });
    try {
      const p = await queueProject(small.deps, small.url);
      await importTasks(p, Array.from({ length: 9 }, (_, i) => ({ payload: { i } })));
      await queueOf(p, p.types.Evaluators!.people[0]!); // loaded
      const total = async () => {
        let n = 0;
        for (const id of await t.deps.redis.smembers("q:projects")) n += (await nodeCounts(t.deps, id)).reduce((s, c) => s + c.available, 0);
        return n;
      };
      const r = await client(small.url).call("GET", "/metrics");
      const lines = r.text.split("\n").filter((l) => l.startsWith("pipelines_queue_ready_tasks{"));
      expect(lines.map((l) => /project="([^"]+)"/.exec(l)![1])).toEqual([p.project.id, "_other"]);
      expect(lines.reduce((n, l) => n + Number(l.split(" ")[1]), 0)).toBe(await total());
    } finally {
      await small.close();
    }
  });
});
