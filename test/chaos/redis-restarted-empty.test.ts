// Redis restarted empty under load (a cache node that lost its memory and came
// straight back): each instance finds the project's epoch key gone, one rebuilds
// it from PostgreSQL under a lock, claims decided on the old state are refused by
// the generation check, and no task is ever held twice nor a fencing token reused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalCheck, seed, startCrew, startEnv, untilComplete, waitFor, type Env } from "./harness/scenario";
import { addTasks, type Workload } from "./harness/seed";
import { byProfile, Recorder } from "./harness/summary";
import { openTasks } from "./harness/work";

const rec = new Recorder(
  "redis-restarted-empty",
  "Redis restarted empty under load is rebuilt from PostgreSQL: no task held twice, no token reused, nothing acknowledged lost.",
);
const RESTARTS = byProfile(4, 10);
let env: Env;
let w: Workload;

beforeAll(async () => {
  env = await startEnv({ label: "redis_restarted", servers: 2 });
  w = await seed(env, { raters: 8, reviewers: 4, tasks: 40, leaseSeconds: 8 });
});
afterAll(() => env?.close());

describe("Redis restarted empty under load", () => {
  it("rebuilds from PostgreSQL without a double claim or a reused token", async () => {
    const urls = env.servers.map((s) => s.url);
    const crew = startCrew(w, { seed: 31, urls: (i) => () => [urls[i % 2]!, urls[(i + 1) % 2]!], opts: { heartbeatRate: 0.3, returnRate: 0.1, abandonRate: 0.02 } });
    let added = w.taskIds.length;
    try {
      for (let k = 0; k < RESTARTS; k++) {
        await addTasks(urls[k % 2]!, w, 20, added);
        added += 20;
        // Restart while claims are in flight: some work done since the last one.
        const before = await openTasks(env.pg.url, w.projectId);
        await waitFor("some progress", async () => (await openTasks(env.pg.url, w.projectId)) <= before - 5, 120_000);
        await env.redis.restartEmpty();
        rec.fault("redis restarted empty");
      }
      const open = await untilComplete(env.pg.url, w.projectId, byProfile(180_000, 400_000));
      crew.stop();
      await crew.done;
      const { report, lost } = await finalCheck(env, w, crew.ledger, rec);
      rec.figure("tasksAdded", added);
      rec.figure("openTasksAtEnd", open);
      rec.note("After an empty restart the first access to a project (claim, queue read, sweeper) rebuilds it under a Redis lock; a claim Redis granted on the old state is refused by PostgreSQL's generation check and decided again.");
      const passed = open === 0 && !lost.length && !report.violations.length && !crew.ledger.unexpected.length;
      rec.write(passed);

      expect(crew.ledger.unexpected, "answers no careful client expects").toEqual([]);
      expect(open, "tasks never completed").toBe(0);
      expect(lost, "acknowledged but not in PostgreSQL").toEqual([]);
      expect(report.violations).toEqual([]);
    } finally {
      crew.stop();
      await crew.done;
    }
  });
});
