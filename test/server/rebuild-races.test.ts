// Changes that land while another instance rebuilds a project's Redis state
// from a PostgreSQL snapshot taken before them. "Instance B" here is a second
// set of deps whose rebuild is held after its snapshot, before its Redis writes.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "../../server/src/deps";
import { redisReady } from "../../server/src/infra/redis";
import { keysOf } from "../../server/src/queue/keys";
import { ensureLoaded } from "../../server/src/queue/rebuild";
import { markStale } from "../../server/src/queue/stale";
import { sweepOnce } from "../../server/src/queue/sweeper";
import { startTestApp, testDeps, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { claimAt, goodAnswers, importTasks, mustClaim, queueProject, submitAs } from "../helpers/queue";

let t: TestApp;
let b: Deps;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 1_000_000 } });
  b = testDeps();
  await redisReady(b.redis);
});
afterAll(async () => {
  await b.db.$disconnect();
  b.redis.disconnect();
  await t.close();
});

/** Starts B's rebuild of the project and resolves once it has read PostgreSQL; `go` lets it write. */
async function heldRebuild(projectId: string): Promise<{ go: () => Promise<void> }> {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let reached!: () => void;
  const atGate = new Promise<void>((r) => (reached = r));
  const pipeline = b.redis.pipeline.bind(b.redis);
  b.redis.pipeline = ((...a: Parameters<typeof pipeline>) => {
    const p = pipeline(...a);
    const exec = p.exec.bind(p);
    p.exec = (async (...x: Parameters<typeof exec>) => {
      reached();
      await gate;
      return exec(...x);
    }) as typeof p.exec;
    return p;
  }) as typeof b.redis.pipeline;
  await t.deps.redis.del(keysOf(projectId).epoch); // as after a Redis restart
  const rebuilding = ensureLoaded(b, projectId);
  await atGate;
  return {
    go: async () => {
      open();
      await rebuilding;
      b.redis.pipeline = pipeline;
    },
  };
}

const lanes = [{ name: "Evaluators", claimLimit: 1, people: 2 }, { name: "Reviewers", claimLimit: 1, people: 1 }];

describe("during another instance's rebuild", () => {
  for (const next of [false, true]) {
    it(`a submit${next ? " that takes the next task" : ""} still ends its claim in Redis`, async () => {
      const q = await queueProject(t.deps, t.url, { lanes });
      const [first] = await importTasks(q, [{ payload: { n: 0 } }, { payload: { n: 1 } }, { payload: { n: 2 } }]);
      const alice = q.types.Evaluators!.people[0]!;
      const rita = q.types.Reviewers!.people[0]!;
      const c = await mustClaim(q, alice, "evaluate");
      const held = await heldRebuild(q.project.id);

      const submitting = submitAs(q, alice, c, { answers: goodAnswers, ...(next ? { next: true } : {}) });
      while (!(await t.deps.db.submission.findFirst({ where: { claimId: c.id } }))) await sleep(10);
      await sleep(200); // its Redis follow-up finds no state and waits for the rebuild
      await held.go();
      const res = await submitting;
      expect(res.status).toBe(201);
      if (next) expect({ next: !!res.body.next?.claim, error: res.body.nextError }).toEqual({ next: true, error: undefined });

      expect(await t.deps.redis.hget(keysOf(q.project.id).claim, c.taskId)).toBeNull();
      expect((await mustClaim(q, rita, "review")).taskId).toBe(first);
      if (!next) expect((await mustClaim(q, alice, "evaluate")).taskId).toBeTruthy(); // not held at her limit
    });
  }

  it("a member removed meanwhile has the task assigned to them reopened", async () => {
    const q = await queueProject(t.deps, t.url, { lanes });
    const [alice, bob] = q.types.Evaluators!.people;
    const [taskId] = await importTasks(q, [{ payload: { n: 0 }, assignTo: { userId: alice!.id } }]);
    const held = await heldRebuild(q.project.id);
    expect((await client(t.url, q.owner.token).delete(`/api/projects/${q.project.id}/members/${alice!.id}`)).status).toBe(204);
    await held.go();
    expect((await t.deps.db.task.findUniqueOrThrow({ where: { id: taskId! } })).assignedUserId).toBeNull();
    const r = await claimAt(q, bob!, "evaluate");
    expect({ status: r.status, taskId: r.body.claim?.taskId }).toEqual({ status: 201, taskId });
  });

  it("a stale mark made while Redis was unreachable outlives the instance that made it", async () => {
    const q = await queueProject(t.deps, t.url, { lanes });
    const [alice] = q.types.Evaluators!.people;
    const [first] = await importTasks(q, [{ payload: { n: 0 } }]);
    await mustClaim(q, alice!, "evaluate"); // loaded; Alice holds the only task Redis knows
    // A task PostgreSQL committed but Redis never heard of (an import whose enqueue failed) ...
    const base = await t.deps.db.task.findUniqueOrThrow({ where: { id: first! } });
    const hidden = await t.deps.db.task.create({ data: { projectId: base.projectId, pipelineId: base.pipelineId, nodeId: base.nodeId, payload: { n: 1 } } });
    // ... on an instance cut off from Redis, which marks the project stale and then dies.
    const cutOff = testDeps({ redisUrl: "redis://127.0.0.1:1" });
    cutOff.redis.on("error", () => {});
    await markStale(cutOff, q.project.id);
    await cutOff.db.$disconnect();
    cutOff.redis.disconnect();
    expect((await t.deps.db.queueState.findUniqueOrThrow({ where: { projectId: q.project.id } })).staleSince).not.toBeNull();
    expect(await t.deps.redis.exists(keysOf(q.project.id).epoch)).toBe(1);

    // Another instance's sweeper finds the mark in PostgreSQL: the project is rebuilt, the task appears.
    await sweepOnce(t.deps, { checkDatabase: true, projects: [q.project.id] });
    expect((await t.deps.db.queueState.findUniqueOrThrow({ where: { projectId: q.project.id } })).staleSince).toBeNull();
    expect((await mustClaim(q, q.types.Evaluators!.people[1]!, "evaluate")).taskId).toBe(hidden.id);
  });
});
