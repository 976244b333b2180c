// The race: 200 contributors of three types claim and finish 1,000 tasks at
// once (evaluate, then a review by another type) while a manual clock moves
// through a schedule that opens and closes every half hour. A sampler reads
// Redis's counters and PostgreSQL's active claims throughout.
// Driven through the engine's functions (claimTask, submitClaim: everything
// after authentication), not HTTP: 200 concurrent HTTP clients on two cores
// measure the machine, not the engine; the HTTP path is covered by the other files.
// Proves: every task submitted and reviewed exactly once, no contributor and
// no type over its limit at any sampled moment, no claim outside a schedule,
// assignments honoured, no one reviewing their own work.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadActor, type Actor } from "../../server/src/access/actor";
import { AppError } from "../../server/src/http/errors";
import { toAppError } from "../../server/src/http/error-handler";
import { ManualClock } from "../../server/src/infra/clock";
import type { Schedule } from "../../server/src/modules/contributor-types/schedule";
import { bumpConfig, claimTask, submitAndClaimNext, submitClaim } from "../../server/src/queue/engine";
import { keysOf } from "../../server/src/queue/keys";
import { sqlOf } from "../../server/src/queue/pg";
import { scheduleState } from "../../server/src/queue/schedule";
import { startTestApp, type TestApp } from "../helpers/app";
import { evaluateForm, importTasks, queueProject } from "../helpers/queue";

// Open in the first half of every hour in Berlin, closed in the second.
const halfHours: Schedule = {
  timezone: "Europe/Berlin",
  windows: Array.from({ length: 24 }, (_, h) => ({ days: [1, 2, 3, 4, 5, 6, 7], start: `${String(h).padStart(2, "0")}:00`, end: `${String(h).padStart(2, "0")}:30` })),
  exceptions: [],
};
const LANES = [
  { name: "Generalists", claimLimit: 2, poolLimit: 40, people: 90 },
  { name: "Reviewers", claimLimit: 1, poolLimit: null, people: 60 },
  { name: "NightOwls", claimLimit: 3, poolLimit: 20, people: 50, schedule: halfHours },
];
const TASKS = 1000;

const clock = new ManualClock("2031-05-05T06:00:00Z");
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

describe("the claim race", () => {
  it("200 claimers, 1,000 tasks: each done exactly once, no limit or schedule ever broken", { timeout: 120_000 }, async () => {
    const q = await queueProject(t.deps, t.url, {
      lanes: LANES,
      nodes: [
        { key: "evaluate", kind: "task", name: "Evaluate", leaseSeconds: 86_400, form: evaluateForm },
        { key: "review", kind: "review", name: "Review", reviews: "evaluate", leaseSeconds: 86_400 },
        { key: "done", kind: "end", name: "Done" },
      ],
    });
    // Only Reviewers review, and they may evaluate too: some meet their own work there.
    const review = await t.deps.db.pipelineNode.update({ where: { id: q.node("review") }, data: { contributorTypeId: q.types.Reviewers!.id } });
    await bumpConfig(t.deps, q.project.id);
    const typeOf = new Map<string, string>();
    const limits = new Map(LANES.map((l) => [q.types[l.name]!.id, l]));
    const people = LANES.flatMap((l) => q.types[l.name]!.people.map((p) => ({ p, type: q.types[l.name]!.id })));
    for (const { p, type } of people) typeOf.set(p.id, type);
    const actors: Actor[] = [];
    for (let i = 0; i < people.length; i += 20) actors.push(...(await Promise.all(people.slice(i, i + 20).map(({ p }) => loadActor(t.deps.db, p.id).then((a) => a!)))));
    expect(actors.length).toBe(200);

    const tasks = Array.from({ length: TASKS }, (_, i) => {
      const payload = { i };
      const priority = i % 5;
      if (i % 20 === 0) return { payload, priority, assignTo: { userId: actors[(i * 7) % actors.length]!.userId } };
      if (i % 7 === 0) return { payload, priority, assignTo: { contributorTypeId: q.types.NightOwls!.id } };
      if (i % 11 === 0) return { payload, priority, assignTo: { contributorTypeId: q.types.Generalists!.id } };
      return { payload, priority };
    });
    const ids = await importTasks(q, tasks);

    // ── the sampler: Redis counters (one MULTI) and PostgreSQL's active claims ──
    let racing = true;
    const samples = { redis: 0, pg: 0 };
    const breaches: string[] = [];
    const check = (source: string, perUser: Map<string, number>) => {
      const perType = new Map<string, number>();
      for (const [u, n] of perUser) {
        const type = typeOf.get(u)!;
        perType.set(type, (perType.get(type) ?? 0) + n);
        if (n > limits.get(type)!.claimLimit) breaches.push(`${source}: user ${u} holds ${n}`);
      }
      for (const [type, n] of perType) {
        const pool = limits.get(type)!.poolLimit;
        if (pool && n > pool) breaches.push(`${source}: type ${limits.get(type)!.name} holds ${n}`);
      }
    };
    const k = keysOf(q.project.id);
    const sampler = async () => {
      while (racing) {
        const held = Object.entries((await t.deps.redis.hgetall(k.held)) as Record<string, string>);
        const counters = (prefix: string) => held.filter(([f]) => f.startsWith(prefix)).map(([f, n]) => [f.slice(prefix.length), n] as const);
        check("redis", new Map(counters("u:").map(([u, n]) => [u, Number(n)])));
        for (const [type, n] of counters("t:")) {
          const pool = limits.get(type)?.poolLimit;
          if (pool && Number(n) > pool) breaches.push(`redis: type counter ${type} = ${n}`);
        }
        samples.redis++;
        const rows = await sqlOf(t.deps).query<{ userId: string; n: number }>(
          `SELECT "userId", count(*)::int AS n FROM "Claim" WHERE "projectId" = $1 AND outcome = 'active' GROUP BY "userId"`,
          [q.project.id],
        );
        check("postgres", new Map(rows.map((r) => [r.userId, r.n])));
        samples.pg++;
        await sleep(5);
      }
    };
    // ── the clock: an hour of schedule time every ~0.6 s ──
    const ticker = async () => {
      while (racing) {
        await sleep(10);
        clock.advance(60_000);
      }
    };

    // ── the claimers ──
    const refusals = new Map<string, number>();
    const errors: string[] = [];
    let reviewed = 0;
    let nexts = 0;
    const codeOf = (err: unknown) => {
      const e = err instanceof AppError ? err : toAppError(err);
      if (e.status >= 500 && e.code !== "unavailable") errors.push(`${e.status} ${e.code} ${(err as Error).message}`);
      return e.code;
    };
    // Each round a claimer takes all it may (until refused), then finishes them.
    // Half the claimers submit and take the next in one call (submitAndClaimNext), so
    // the fused settle + claim script races the separate ones.
    const claimer = async (actor: Actor, index: number) => {
      const chain = index % 2 === 1;
      const nodes = typeOf.get(actor.userId) === review.contributorTypeId ? [review.id, q.node("evaluate")] : [q.node("evaluate")];
      let idle = 0;
      while (reviewed < TASKS && errors.length === 0) {
        const held: Array<{ nodeId: string; id: string; token: string }> = [];
        let pause = 0;
        for (const nodeId of nodes) {
          for (;;) {
            try {
              const c = await claimTask(t.deps, actor, q.project.id, { nodeId });
              held.push({ nodeId, id: c.claim.id, token: c.claim.token });
            } catch (err) {
              const code = codeOf(err);
              refusals.set(code, (refusals.get(code) ?? 0) + 1);
              // Back off as a client would: a closed schedule for a while, a full pool briefly.
              pause = Math.max(pause, code === "outside_schedule" ? 100 : code === "pool_limit_reached" ? 40 : 0);
              break;
            }
          }
        }
        for (const c of held) {
          const body = c.nodeId === review.id ? { token: c.token, verdict: "pass" as const } : { token: c.token, answers: { accuracy: 3, helpful: true } };
          for (;;) {
            try {
              if (chain) {
                const r = await submitAndClaimNext(t.deps, actor, c.id, body);
                if (r.next instanceof AppError) {
                  const code = codeOf(r.next);
                  refusals.set(code, (refusals.get(code) ?? 0) + 1);
                } else {
                  held.push({ nodeId: c.nodeId, id: r.next.claim.id, token: r.next.claim.token });
                  nexts++;
                }
              } else await submitClaim(t.deps, actor, c.id, body);
              if (c.nodeId === review.id) reviewed++;
              break;
            } catch (err) {
              // 503 (the machine is slow; nothing was written): the holder tries again.
              if (codeOf(err) !== "unavailable") {
                errors.push(`submit refused: ${(err as Error).message}`);
                break;
              }
            }
          }
        }
        idle = held.length ? 0 : Math.min(idle + 1, 6);
        if (!held.length || pause) await sleep(Math.max(pause, held.length ? 0 : 2 ** idle) + Math.random() * 10);
      }
    };

    const started = performance.now();
    const background = Promise.all([sampler(), ticker()]);
    await Promise.all(actors.map(claimer));
    racing = false;
    await background;
    const seconds = (performance.now() - started) / 1000;
    console.info(`race: ${TASKS} tasks, ${actors.length} claimers, ${seconds.toFixed(1)} s, ${samples.pg} samples, refusals ${JSON.stringify(Object.fromEntries(refusals))}, ${nexts} next claims taken with a submit`);

    expect(errors).toEqual([]);
    expect(breaches).toEqual([]);
    expect(samples.redis).toBeGreaterThan(20);
    expect(samples.pg).toBeGreaterThan(20);
    // The limits, the pool and the schedule were actually in the way.
    expect(refusals.get("claim_limit_reached") ?? 0).toBeGreaterThan(0);
    expect(refusals.get("pool_limit_reached") ?? 0).toBeGreaterThan(0);
    expect(refusals.get("outside_schedule") ?? 0).toBeGreaterThan(0);
    expect(nexts).toBeGreaterThan(0);

    const [done, subs, reviews, claims] = await Promise.all([
      t.deps.db.task.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, assignedUserId: true, assignedTypeId: true } }),
      t.deps.db.submission.findMany({ where: { projectId: q.project.id } }),
      t.deps.db.review.findMany({ where: { projectId: q.project.id } }),
      t.deps.db.claim.findMany({ where: { projectId: q.project.id } }),
    ]);
    expect(done.filter((d) => d.status === "completed")).toHaveLength(TASKS);
    expect(subs).toHaveLength(TASKS);
    expect(new Set(subs.map((s) => s.taskId)).size).toBe(TASKS);
    expect(reviews).toHaveLength(TASKS);
    expect(new Set(reviews.map((r) => r.taskId)).size).toBe(TASKS);
    expect(claims.filter((c) => c.outcome === "active")).toEqual([]);

    const author = new Map(subs.map((s) => [s.taskId, s.userId]));
    expect(reviews.filter((r) => r.userId === author.get(r.taskId))).toEqual([]);
    expect(reviews.every((r) => typeOf.get(r.userId) === review.contributorTypeId)).toBe(true);
    for (const d of done) {
      if (d.assignedUserId) expect(author.get(d.id)).toBe(d.assignedUserId);
      if (d.assignedTypeId) expect(typeOf.get(author.get(d.id)!)).toBe(d.assignedTypeId);
    }
    const owls = claims.filter((c) => typeOf.get(c.userId) === q.types.NightOwls!.id);
    expect(owls.length).toBeGreaterThan(0);
    expect(owls.filter((c) => !scheduleState(halfHours, c.claimedAt).open)).toEqual([]);

    const counters = await t.deps.redis.multi().hvals(k.held).hvals(k.busy).hvals(k.reservedReady).exec();
    for (const [, values] of counters!) expect((values as string[]).every((v) => v === "0")).toBe(true);
  });
});
