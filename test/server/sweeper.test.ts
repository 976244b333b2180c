// The background sweeper on two instances sharing a redis-server of this
// file's own and one manual clock: an expired claim is returned exactly once
// (one instance sweeps at a time), PostgreSQL and Redis agree afterwards, the
// other instance takes over when the first stops, and overdue claims of a
// project whose Redis state was wiped are still found (through PostgreSQL).
// The sweepers are limited to this file's projects: the database is shared
// with other test files, whose claims this file's clock (2031) would find due.
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../server/src/events/bus";
import { ManualClock } from "../../server/src/infra/clock";
import { startRedisServer, type Started } from "../../server/src/infra/embedded";
import { keysOf } from "../../server/src/queue/keys";
import { startSweeper } from "../../server/src/queue/sweeper";
import { startTestApp, type TestApp } from "../helpers/app";
import { importTasks, mustClaim, queueProject } from "../helpers/queue";

const clock = new ManualClock("2031-07-01T09:00:00Z");
let redis: Started;
let admin: Redis;
let one: TestApp;
let two: TestApp;
const expired: Array<{ instance: string; claimId: string }> = [];
const mine: string[] = [];
const stops: Record<string, () => Promise<void>> = {};

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
  const opts = { clock, redisUrl: redis.url };
  [one, two] = await Promise.all([startTestApp(opts), startTestApp(opts)]);
  for (const [name, t] of [["one", one], ["two", two]] as const) {
    t.deps.bus.on("task.released", (e) => e.reason === "expired" && expired.push({ instance: name, claimId: e.claimId }));
    stops[name] = startSweeper(t.deps, { intervalMs: 50, projects: () => mine });
  }
});
afterAll(async () => {
  await Promise.all(Object.values(stops).map((s) => s()));
  await Promise.all([one.close(), two.close()]);
  admin.disconnect();
  await redis.stop();
});

async function until(what: string, check: () => Promise<boolean>) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`gave up waiting: ${what}`);
}

async function leaseProject() {
  const q = await queueProject(one.deps, one.url, {
    lanes: [{ name: "Evaluators", people: 2 }],
    nodes: [
      { key: "evaluate", kind: "task", name: "Evaluate", leaseSeconds: 60, form: { criteria: [{ key: "ok", label: "OK", kind: "boolean", required: true }] } },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  mine.push(q.project.id);
  return q;
}

describe("the background sweeper", () => {
  it("returns an expired claim exactly once, and Redis agrees with PostgreSQL afterwards", async () => {
    const q = await leaseProject();
    const [id] = await importTasks(q, [{ payload: {} }]);
    const c = await mustClaim(q, q.types.Evaluators!.people[0]!, "evaluate");
    clock.advance(61_000);
    await until("the claim expires", async () => (await one.deps.db.claim.findUniqueOrThrow({ where: { id: c.id } })).outcome === "expired");
    await sleep(200); // several more sweeps on both instances
    expect(expired.filter((e) => e.claimId === c.id)).toHaveLength(1);
    expect(await one.deps.db.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "queued" });
    const k = keysOf(q.project.id);
    const [held, deadline, score, users] = await Promise.all([admin.hget(k.claim, id!), admin.zscore(k.deadlines, id!), admin.zscore(k.ready(q.node("evaluate")), id!), admin.hvals(k.held)]);
    expect([held, deadline]).toEqual([null, null]);
    expect(score).not.toBeNull();
    expect(users.every((n) => n === "0")).toBe(true);
  });

  it("keeps sweeping on the other instance when one stops", async () => {
    const q = await leaseProject();
    await importTasks(q, [{ payload: {} }]);
    await stops.one!();
    const c = await mustClaim(q, q.types.Evaluators!.people[1]!, "evaluate");
    clock.advance(61_000);
    await until("the other instance expires it", async () => (await two.deps.db.claim.findUniqueOrThrow({ where: { id: c.id } })).outcome === "expired");
    // The event leaves after the commit the poll above can already see.
    await until("its event is published", async () => expired.some((e) => e.claimId === c.id));
    await sleep(200); // more sweeps, which must not publish it again
    expect(expired.filter((e) => e.claimId === c.id)).toEqual([{ instance: "two", claimId: c.id }]);
  });

  it("finds overdue claims through PostgreSQL when Redis lost the project's state", async () => {
    const q = await leaseProject();
    const [id] = await importTasks(q, [{ payload: {} }]);
    const c = await mustClaim(q, q.types.Evaluators!.people[0]!, "evaluate");
    await admin.flushall();
    clock.advance(61_000);
    await until("the claim expires after a rebuild", async () => (await two.deps.db.claim.findUniqueOrThrow({ where: { id: c.id } })).outcome === "expired");
    expect(await admin.zscore(keysOf(q.project.id).ready(q.node("evaluate")), id!)).not.toBeNull();
  });
});
