// A task edited while people claim it: whatever the interleaving, nobody ends up
// holding a task the final assignment keeps from them, a cancelled task is held
// by nobody, nothing answers 500; and Redis, followed live, holds exactly what a
// rebuild from PostgreSQL would.
import { describe, expect, it } from "vitest";
import { keysOf } from "../../server/src/queue/keys";
import { ensureLoaded } from "../../server/src/queue/rebuild";
import { client } from "../helpers/http";
import { hold } from "../helpers/locks";
import { claimAt, goodAnswers, importTasks, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";
import { raceApp } from "../helpers/races";

const t = raceApp({ config: { RATE_LIMIT_PER_MIN: 1_000_000 } });
const { until } = t;

const edit = (q: QueueProject, id: string, body: unknown) => client(t.url, q.owner.token).patch(`/api/tasks/${id}`, body);
const activeClaims = (taskId: string) => t.deps.db.claim.findMany({ where: { taskId, outcome: "active" } });

/** The project's Redis state, normalised: counters at 0 and empty sets are the same as none. */
async function redisState(projectId: string) {
  const k = keysOf(projectId);
  const out: Record<string, unknown> = {};
  const hash = async (key: string) => Object.fromEntries(Object.entries(await t.deps.redis.hgetall(key)).filter(([, v]) => v !== "0"));
  const zset = async (key: string) => {
    const flat = await t.deps.redis.zrange(key, 0, -1, "WITHSCORES");
    return Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], Number(flat[2 * i + 1])]));
  };
  for (const [name, key] of Object.entries({ at: k.at, claim: k.claim, held: k.held, reservedReady: k.reservedReady, busy: k.busy })) out[name] = await hash(key);
  out.deadlines = await zset(k.deadlines);
  for (const key of (await t.deps.redis.smembers(k.registry)).sort()) {
    const type = await t.deps.redis.type(key);
    const v = type === "zset" ? await zset(key) : type === "hash" ? await hash(key) : {};
    if (Object.keys(v).length) out[key.slice(k.prefix.length)] = v;
  }
  return out;
}

async function expectRebuildAgrees(projectId: string) {
  const live = await redisState(projectId);
  await t.deps.redis.del(keysOf(projectId).epoch);
  await ensureLoaded(t.deps, projectId);
  expect(await redisState(projectId)).toEqual(live);
}

describe("an edit racing claims", () => {
  it("a claim Redis decided before a reassignment committed is refused when it reaches PostgreSQL after it", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    // Claims are recorded under the claim engine's lock (7301) held shared: held
    // exclusively here, Alice's claim waits after Redis gave her the task.
    const held = await hold("SELECT pg_advisory_xact_lock(7301, hashtext($1))", [q.project.id]);
    let claim: Promise<Awaited<ReturnType<typeof claimAt>>>;
    try {
      claim = claimAt(q, alice!, "evaluate");
      await until(held.pid, 1, claim);
      const res = await edit(q, id!, { assignment: { userId: bob!.id } });
      expect(res.status, res.text).toBe(200);
    } finally {
      await held.release();
    }
    const answer = await claim;
    expect(answer.status, answer.text).toBe(409);
    expect(answer.body.error.code).toBe("queue_empty");
    expect(await activeClaims(id!)).toEqual([]);
    expect((await mustClaim(q, bob!, "evaluate")).taskId).toBe(id);
    await expectRebuildAgrees(q.project.id);
  });

  it("many claims and a reassignment at once: only the assignee ever holds the task, nothing answers 500", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 5, people: 4 }, { name: "Reviewers" }] });
    const [alice, bob, carol, dan] = q.types.Evaluators!.people;
    for (let round = 0; round < 8; round++) {
      const [id] = await importTasks(q, [{ payload: { round } }]);
      const others = [alice!, carol!, dan!];
      const claims = [...others.map((p) => claimAt(q, p, "evaluate", id)), ...others.map((p) => claimAt(q, p, "evaluate"))];
      const patch = edit(q, id!, { assignment: { userId: bob!.id } });
      const answers = await Promise.all(claims);
      expect((await patch).status).toBe(200);
      for (const a of answers) expect([201, 409], a.text).toContain(a.status);
      expect(await activeClaims(id!)).toEqual([]);
      const mine = await mustClaim(q, bob!, "evaluate", id);
      expect((await submitAs(q, bob!, mine, { answers: goodAnswers })).status).toBe(201);
    }
    await expectRebuildAgrees(q.project.id);
  });

  it("many claims and a cancel at once: a cancelled task is held by nobody and offered to nobody", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 5, people: 3 }, { name: "Reviewers" }] });
    const people = q.types.Evaluators!.people;
    for (let round = 0; round < 8; round++) {
      const [id] = await importTasks(q, [{ payload: { round } }]);
      const claims = people.map((p) => claimAt(q, p, "evaluate", id));
      const patch = edit(q, id!, { status: "cancelled" });
      const answers = await Promise.all(claims);
      expect((await patch).status).toBe(200);
      for (const a of answers) expect([201, 409], a.text).toContain(a.status);
      expect(await activeClaims(id!)).toEqual([]);
      expect((await t.deps.db.task.findUniqueOrThrow({ where: { id: id! } })).status).toBe("cancelled");
      for (const p of people) expect((await claimAt(q, p, "evaluate")).body.error.code).toBe("queue_empty");
    }
    await expectRebuildAgrees(q.project.id);
  });
});

describe("Redis follows every edit as a rebuild would place it", () => {
  it("priority, assignment to a person and to a type, cancel and reopen (at a review node too)", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const ids = await importTasks(q, [
      { payload: { n: 0 } },
      { payload: { n: 1 }, assignTo: { userId: alice!.id } },
      { payload: { n: 2 } },
      { payload: { n: 3 } },
      { payload: { n: 4 } },
      { payload: { n: 5 } },
    ]);
    const atReview = await mustClaim(q, bob!, "evaluate", ids[5]);
    expect((await submitAs(q, bob!, atReview, { answers: goodAnswers })).status).toBe(201);
    const claimed = await mustClaim(q, bob!, "evaluate", ids[4]);
    const steps: Array<[number, unknown]> = [
      [0, { priority: 7 }],
      [1, { assignment: { userId: bob!.id }, priority: -3 }],
      [2, { assignment: { contributorTypeId: q.types.Evaluators!.id } }],
      [3, { status: "cancelled" }],
      [5, { status: "cancelled" }],
      [5, { status: "queued", priority: 4 }],
      [4, { priority: 9 }],
    ];
    for (const [i, body] of steps) {
      const res = await edit(q, ids[i]!, body);
      expect(res.status, res.text).toBe(200);
      await expectRebuildAgrees(q.project.id);
    }
    expect((await submitAs(q, bob!, claimed, { answers: goodAnswers })).status).toBe(201);
    await expectRebuildAgrees(q.project.id);
  });
});
