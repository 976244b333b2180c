// P1 — the claim engine against BullMQ on the same Redis, same number of items,
// in interleaved rounds beside the minimal Lua line (the machine's reference).
//   our engine: 100 concurrent loops, each a contributor, claim → settle(completed)
//               through the engine's own code and scripts (bench/lib/engine-path.ts);
//               and the same as "submit and take the next": each completion's settle
//               and the next claim in one script call (settle-claim-15.lua)
//   BullMQ:     one Worker, concurrency 100, no-op jobs, removeOnComplete
//   minimal:    bench/reference/lines.ts
// Goal: engine ≥ 0.9 × minimal (≈ 1.35 × BullMQ).
import { loadActor, type Actor } from "../server/src/access/actor";
import { keysOf } from "../server/src/queue/keys";
import { ensureLoaded } from "../server/src/queue/rebuild";
import type { Deps } from "../server/src/deps";
import { decideClaim, settleCompleted } from "./lib/engine-path";
import { BENCH_JWT_SECRET, benchDeps, closeDeps } from "./lib/deps";
import { isMain, progress, ratio, runAsScript, type ScenarioResult } from "./lib/report";
import { seedProject, type BenchProject } from "./lib/seed";
import { startServices } from "./lib/services";
import { concurrently, median } from "./lib/stats";
import { runBullmq } from "./peers/bullmq";
import { runLine, type LineResult } from "./reference/lines";

const CONCURRENCY = 100;

export async function p1Scenario(): Promise<Omit<ScenarioResult, "seconds">> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const items = Math.max(50_000, Number(process.env.BENCH_ITEMS ?? 50_000));
  const svc = await startServices({ label: "p1" });
  const deps = await benchDeps({ redisUrl: svc.redisUrl, databaseUrl: svc.databaseUrl });
  try {
    progress(`seeding ${items} tasks`);
    const project = await seedProject(svc.databaseUrl, { contributors: CONCURRENCY, tasks: items, jwtSecret: BENCH_JWT_SECRET });
    const actors = await Promise.all(project.contributors.map(async (c) => (await loadActor(deps.db, c.id))!));
    const results = { engine: [] as number[], next: [] as number[], bullmq: [] as number[], lua: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      // Rotate the order so no line always runs first (the machine warms and drifts).
      const order = (["lua", "engine", "bullmq", "next"] as const).map((_, i, a) => a[(i + r) % a.length]!);
      for (const line of order) {
        progress(`round ${r + 1}/${rounds}: ${line}`);
        const res =
          line === "engine" || line === "next"
            ? await engineRound(deps, project, actors, items, line === "next")
            : line === "bullmq"
              ? await runBullmq({ redisUrl: svc.redisUrl, items, concurrency: CONCURRENCY })
              : await runLine({ redis: deps.redis, items, concurrency: CONCURRENCY });
        results[line].push(res.perSecond);
      }
    }
    const engine = median(results.engine);
    const next = median(results.next);
    const bull = median(results.bullmq);
    const lua = median(results.lua);
    const perRound = (a: number[], b: number[]) => median(a.map((v, i) => v / b[i]!));
    return {
      id: "p1",
      title: `P1 engine — claim + complete in Redis, ${items.toLocaleString("en-US")} items, ${CONCURRENCY} concurrent`,
      rows: [
        { line: "minimal Lua line (reference)", value: lua, unit: "items/s", rounds: results.lua },
        { line: "our engine (all checks, no HTTP/PG)", value: engine, unit: "items/s", rounds: results.engine },
        { line: "our engine, submit and take the next", value: next, unit: "items/s", rounds: results.next },
        { line: "BullMQ worker (concurrency 100)", value: bull, unit: "jobs/s", rounds: results.bullmq },
      ],
      ratios: [
        ratio("engine / minimal Lua line", perRound(results.engine, results.lua), { atLeast: 0.9 }),
        ratio("engine / BullMQ", perRound(results.engine, results.bullmq), { atLeast: 1.35, text: "≈ 1.35" }),
        ratio("engine, submit and next / minimal Lua line", perRound(results.next, results.lua), { atLeast: 0.9 }),
        ratio("engine, submit and next / BullMQ", perRound(results.next, results.bullmq), { atLeast: 1.35, text: "≈ 1.35" }),
        ratio("BullMQ / minimal Lua line", perRound(results.bullmq, results.lua)),
      ],
      notes: [
        "Ratios are the median of per-round ratios (each round runs every line back to back, in rotating order).",
        "Engine line: contributor check, cached catalog, node type, schedule, claim/pool limits, assignment sets, lease and warning deadlines, live counts; completion checks the holder's claim id.",
        "Submit and take the next: the same checks; each completion's settle and the next claim are one script call (what POST /api/claims/:id/submit with next: true runs; BullMQ's worker likewise completes a job and fetches the next in one call).",
      ],
    };
  } finally {
    await closeDeps(deps);
    await svc.stop();
  }
}

/** One round: the project's Redis state rebuilt from PostgreSQL (all tasks ready), then timed loops. */
async function engineRound(deps: Deps, project: BenchProject, actors: Actor[], items: number, chained: boolean): Promise<LineResult> {
  const k = keysOf(project.projectId);
  await deps.redis.del(k.epoch);
  await ensureLoaded(deps, project.projectId);
  const ready = await deps.redis.zcard(k.ready(project.nodeId));
  if (ready !== items) throw new Error(`engine round: ${ready} tasks ready after rebuild, expected ${items}`);
  const seen = new Set<string>();
  let done = 0;
  const started = performance.now();
  await concurrently(CONCURRENCY, async (w) => {
    const actor = actors[w]!;
    let d = await decideClaim(deps, actor, project.projectId, project.nodeId);
    while (d) {
      if (seen.has(d.taskId)) throw new Error(`engine round: task ${d.taskId} claimed twice`);
      seen.add(d.taskId);
      done++;
      if (chained) {
        // Settles d and claims the next in one call (the last one's answer is "empty").
        d = await decideClaim(deps, actor, project.projectId, project.nodeId, d);
      } else {
        await settleCompleted(deps, project.projectId, d);
        d = await decideClaim(deps, actor, project.projectId, project.nodeId);
      }
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const [claims, held, busy] = await Promise.all([deps.redis.hlen(k.claim), deps.redis.hvals(k.held), deps.redis.hget(k.busy, project.nodeId)]);
  if (done !== items || claims !== 0 || held.some((v) => v !== "0") || (busy ?? "0") !== "0")
    throw new Error(`engine round: ${done}/${items} done, ${claims} claims left, counters ${held.join(",")} busy ${busy}`);
  return { items: done, seconds, perSecond: done / seconds };
}

if (isMain(import.meta.url)) void runAsScript(p1Scenario);
