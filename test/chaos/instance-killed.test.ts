// One of three server instances SIGKILLed again and again (mid-request: the
// clients never pause) while tasks keep arriving and clients work through the
// other two. Clients of the dead instance fail over and carry on with the
// claims they hold (their tokens stay valid on any instance); claims whose
// answer died with the instance are never submitted and expire. At the end every
// task is completed exactly once, nothing acknowledged is lost, and Redis agrees
// with PostgreSQL once the last lease has run out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { finalCheck, seed, startCrew, startEnv, untilComplete, type Env } from "./harness/scenario";
import { addTasks, type Workload } from "./harness/seed";
import { byProfile, Recorder } from "./harness/summary";
import { prng } from "./harness/fuzz";

const rec = new Recorder(
  "instance-killed",
  "With one of three instances SIGKILLed repeatedly, every task finishes exactly once, no acknowledged write is lost, and the dead instance's claims continue elsewhere or expire.",
);
const KILLS = byProfile(6, 25);
const BATCH = byProfile(8, 15);
let env: Env;
let w: Workload;

beforeAll(async () => {
  env = await startEnv({ label: "instance_killed", servers: 3 });
  w = await seed(env, { raters: 8, reviewers: 4, tasks: 30, leaseSeconds: 6 });
});
afterAll(() => env?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("an instance SIGKILLed repeatedly", () => {
  it(`survives ${KILLS} kills with every task done exactly once`, async () => {
    const [a, b, victim] = env.servers as [typeof env.servers[0], typeof env.servers[0], typeof env.servers[0]];
    const live = () => env.servers.filter((s) => s.alive).map((s) => s.url);
    // A third of the clients prefer the victim; all fail over to whatever answers.
    const crew = startCrew(w, {
      seed: 21,
      urls: (i) => () => (i % 3 === 2 ? [victim.url, a.url, b.url] : i % 2 ? [a.url, b.url] : [b.url, a.url]),
      opts: { abandonRate: 0.03, heartbeatRate: 0.2, returnRate: 0.1, nextRate: 0.5 },
    });
    const rng = prng(7);
    let added = w.taskIds.length;
    try {
      for (let k = 0; k < KILLS; k++) {
        await addTasks(live()[0]!, w, BATCH, added);
        added += BATCH;
        await sleep(rng.int(300, 1500));
        await victim.kill();
        rec.fault("server SIGKILL");
        await victim.start();
      }
      const open = await untilComplete(env.pg.url, w.projectId, byProfile(240_000, 480_000));
      crew.stop();
      await crew.done;
      const { report, lost } = await finalCheck(env, w, crew.ledger, rec, { settleMs: 60_000 });

      const c = new pg.Client({ connectionString: env.pg.url });
      await c.connect();
      const outcomes = await c.query(`SELECT outcome, count(*)::int AS n FROM "Claim" WHERE "projectId" = $1 GROUP BY 1`, [w.projectId]);
      await c.end();
      for (const r of outcomes.rows) rec.figure(`claims ${r.outcome}`, r.n);
      rec.figure("kills", victim.kills);
      rec.figure("tasksAdded", added);
      rec.figure("openTasksAtEnd", open);
      rec.figure("nextClaimsTakenWithSubmit", crew.ledger.nexts);
      rec.note(
        "A claim whose answer died with its instance is still recorded in PostgreSQL (or only in Redis, if the instance died between the Lua script and the PostgreSQL write); either way it ends as expired at its lease deadline and the task is claimed again.",
      );
      const passed = victim.kills >= KILLS && open === 0 && !lost.length && !report.violations.length && !crew.ledger.unexpected.length;
      rec.write(passed);

      expect(victim.kills).toBeGreaterThanOrEqual(KILLS);
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
