// Redis SIGKILLed under load, kept down, then started again (empty: it keeps
// nothing on disk). While it is down every claim must fail closed (503
// unavailable: never granted, never a 500); once it is back the project's state
// is rebuilt from PostgreSQL and work resumes; at the end nothing acknowledged
// is lost and every invariant holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byProfile, Recorder } from "./harness/summary";
import { finalCheck, seed, startCrew, startEnv, untilComplete, waitFor, type Env } from "./harness/scenario";
import type { Workload } from "./harness/seed";
import { call, Ledger, openTasks } from "./harness/work";

const rec = new Recorder("redis-killed", "Claims fail closed (503) while Redis is down, resume after it returns empty, and nothing acknowledged is lost.");
const TASKS = byProfile(60, 240);
const OUTAGES = byProfile(2, 5);
let env: Env;
let w: Workload;

beforeAll(async () => {
  env = await startEnv({ label: "redis_killed", servers: 2 });
  w = await seed(env, { raters: 6, reviewers: 3, tasks: TASKS, leaseSeconds: 10 });
});
afterAll(() => env?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Redis killed under load", () => {
  it("fails closed while down, resumes when back, loses nothing", async () => {
    const urls = env.servers.map((s) => s.url);
    const crew = startCrew(w, { seed: 11, urls: (i) => () => [urls[i % 2]!, urls[(i + 1) % 2]!], opts: { heartbeatRate: 0.2, returnRate: 0.1, nextRate: 0.5 } });
    const probe = new Ledger();
    const duringOutage: Record<string, number> = {};
    const recoveries: number[] = [];
    try {
      for (let k = 0; k < OUTAGES; k++) {
        // Let some work happen first.
        const target = Math.floor(TASKS * (1 - (k + 1) / (OUTAGES + 2)));
        await waitFor(`${target} open tasks`, async () => (await openTasks(env.pg.url, w.projectId)) <= target, 120_000);
        await env.redis.kill();
        rec.fault("redis SIGKILL");
        // While it is down: claims through every instance answer 503, nothing else.
        for (let i = 0; i < 10; i++) {
          for (const url of urls) {
            const r = await call(probe, url, "POST", `/api/projects/${w.projectId}/claims`, w.raters[i % w.raters.length]!.token, { nodeId: w.rateNodeId });
            const key = `${r.status} ${r.body?.error?.code ?? ""}`.trim();
            duringOutage[key] = (duringOutage[key] ?? 0) + 1;
          }
          await sleep(100);
        }
        await env.redis.start();
        // Back (empty): the first granted claim after the restart went through a rebuild.
        const ms = await waitFor("the queue to answer again", async () => (await call(probe, urls[k % 2]!, "GET", `/api/projects/${w.projectId}/queue`, w.raters[0]!.token)).status === 200, 30_000, 50);
        recoveries.push(Math.round(ms));
      }
      const open = await untilComplete(env.pg.url, w.projectId, byProfile(180_000, 400_000));
      crew.stop();
      await crew.done;
      const { report, lost } = await finalCheck(env, w, crew.ledger, rec);
      rec.requests(probe.summary());
      rec.figure("claimAnswersWhileDown", JSON.stringify(duringOutage));
      rec.figure("recoveryMsMax", Math.max(...recoveries));
      rec.figure("openTasksAtEnd", open);
      rec.figure("nextClaimsTakenWithSubmit", crew.ledger.nexts);
      rec.figure("instancesAlive", env.servers.filter((s) => s.alive).length);
      rec.note("While Redis is down a claim answers 503 `unavailable` at once (ioredis has no offline queue); submits and releases still commit in PostgreSQL and the project's Redis state is marked stale and rebuilt on the next access.");
      const passed = env.servers.every((s) => s.alive) && open === 0 && !report.violations.length && !lost.length && Object.keys(duringOutage).every((k) => k === "503 unavailable") && !crew.ledger.unexpected.length;
      rec.write(passed);

      expect(env.servers.every((s) => s.alive), "every instance survived the outages").toBe(true);
      expect(Object.keys(duringOutage), "answers to claims while Redis was down").toEqual(["503 unavailable"]);
      expect(crew.ledger.unexpected, "answers no careful client expects").toEqual([]);
      expect(open, "tasks never completed").toBe(0);
      expect(crew.ledger.nexts, "submits that took the next task (settle + claim in one script)").toBeGreaterThan(0);
      expect(lost, "acknowledged but not in PostgreSQL").toEqual([]);
      expect(report.violations).toEqual([]);
    } finally {
      crew.stop();
      await crew.done;
    }
  });
});
