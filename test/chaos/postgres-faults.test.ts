// PostgreSQL faults under load: every server connection terminated
// (pg_terminate_backend) again and again, and the server itself restarted (a
// fast shutdown, a pause, the same port again). Requests caught in a fault
// answer 503 and the clients retry; the servers reconnect on their own; nothing
// acknowledged is lost and every invariant holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalCheck, seed, startCrew, startEnv, untilComplete, waitFor, type Env } from "./harness/scenario";
import { addTasks, type Workload } from "./harness/seed";
import { byProfile, Recorder } from "./harness/summary";
import { call, Ledger, openTasks } from "./harness/work";

const rec = new Recorder(
  "postgres-faults",
  "With PostgreSQL connections terminated and PostgreSQL restarted under load, the servers reconnect by themselves and no acknowledged work is lost.",
);
const TERMINATIONS = byProfile(5, 15);
const RESTARTS = byProfile(1, 3);
let env: Env;
let w: Workload;

beforeAll(async () => {
  env = await startEnv({ label: "postgres_faults", servers: 2, ownPostgres: true });
  w = await seed(env, { raters: 8, reviewers: 4, tasks: 40, leaseSeconds: 8 });
});
afterAll(() => env?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("PostgreSQL connections terminated and PostgreSQL restarted", () => {
  it("reconnects and loses no acknowledged work", async () => {
    const urls = env.servers.map((s) => s.url);
    const crew = startCrew(w, { seed: 41, urls: (i) => () => [urls[i % 2]!, urls[(i + 1) % 2]!], opts: { heartbeatRate: 0.2, returnRate: 0.1 } });
    const probe = new Ledger();
    let added = w.taskIds.length;
    let terminated = 0;
    const reconnectMs: number[] = [];
    const progress = async () => {
      const before = await openTasks(env.pg.url, w.projectId);
      await waitFor("some progress", async () => (await openTasks(env.pg.url, w.projectId)) <= before - 3, 120_000);
    };
    try {
      for (let k = 0; k < TERMINATIONS; k++) {
        await addTasks(urls[k % 2]!, w, 10, added);
        added += 10;
        await progress();
        terminated += await env.pg.terminateBackends();
        rec.fault("pg_terminate_backend (all server connections)");
      }
      for (let k = 0; k < RESTARTS; k++) {
        await progress();
        await env.pg.restart!(2_000);
        rec.fault("PostgreSQL restarted");
        // Both instances find their way back without help.
        const ms = await waitFor(
          "every instance ready again",
          async () => (await Promise.all(urls.map((u) => call(probe, u, "GET", "/readyz", "")))).every((r) => r.status === 200),
          60_000,
          100,
        );
        reconnectMs.push(Math.round(ms));
        await addTasks(urls[k % 2]!, w, 10, added);
        added += 10;
      }
      const open = await untilComplete(env.pg.url, w.projectId, byProfile(180_000, 400_000));
      crew.stop();
      await crew.done;
      const { report, lost } = await finalCheck(env, w, crew.ledger, rec);
      rec.requests(probe.summary());
      rec.figure("connectionsTerminated", terminated);
      rec.figure("readyAgainMsMax", Math.max(...reconnectMs));
      rec.figure("tasksAdded", added);
      rec.figure("openTasksAtEnd", open);
      rec.note("A request whose connection is terminated answers 503 `unavailable` (the pool replaces the connection); a claim whose PostgreSQL write failed that way marks the project stale, so Redis is rebuilt from PostgreSQL before the next claim.");
      const passed = open === 0 && !lost.length && !report.violations.length && !crew.ledger.unexpected.length;
      rec.write(passed);

      expect(crew.ledger.unexpected, "answers no careful client expects").toEqual([]);
      expect(open, "tasks never completed").toBe(0);
      expect(lost, "acknowledged but not in PostgreSQL").toEqual([]);
      expect(report.violations).toEqual([]);
    } finally {
      crew.stop();
      await crew.done;
      await sleep(0);
    }
  });
});
