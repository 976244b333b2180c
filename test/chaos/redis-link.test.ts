// A slow, cut and partitioned link between the servers and Redis (a TCP proxy
// in between): delay each way, every connection reset at once, and a partition
// where nothing passes for seconds while connections stay open. What happens,
// measured: a delay slows requests by a few round trips; a reset fails the
// requests in flight with 503 and ioredis reconnects; in a partition a request
// waits at most REDIS_COMMAND_TIMEOUT_MS (1.5 s here), then fails closed with
// 503, and after the heal the state is rebuilt where a timed-out script may have
// run. Through
// all of it the invariants hold and nothing acknowledged is lost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalCheck, seed, startCrew, startEnv, untilComplete, waitFor, type Env } from "./harness/scenario";
import { addTasks, type Workload } from "./harness/seed";
import { byProfile, Recorder } from "./harness/summary";
import { openTasks, type Ledger } from "./harness/work";

const rec = new Recorder(
  "redis-link",
  "Through a delayed, reset and partitioned Redis link the invariants hold and nothing acknowledged is lost; the behaviour of each fault is measured.",
);
const PARTITION_MS = byProfile(3_000, 8_000);
const COMMAND_TIMEOUT_MS = 1_500;
let env: Env;
let w: Workload;

beforeAll(async () => {
  env = await startEnv({ label: "redis_link", servers: 2, redisProxy: true, env: () => ({ REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) }) });
  w = await seed(env, { raters: 8, reviewers: 4, tasks: 40, leaseSeconds: 15 });
});
afterAll(() => env?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const slowest = (l: Ledger, from: number, to: number) => Math.max(0, ...l.timings.filter((t) => t.at >= from && t.at < to).map((t) => t.ms));
const median = (l: Ledger, from: number, to: number) => {
  const ms = l.timings.filter((t) => t.at >= from && t.at < to).map((t) => t.ms).sort((a, b) => a - b);
  return ms.length ? ms[Math.floor(ms.length / 2)]! : 0;
};

describe("a slow, cut and partitioned Redis link", () => {
  it("keeps every invariant; in a partition requests fail closed after the command timeout, on a reset at once", async () => {
    const proxy = env.proxy!;
    const urls = env.servers.map((s) => s.url);
    const crew = startCrew(w, { seed: 61, urls: (i) => () => [urls[i % 2]!, urls[(i + 1) % 2]!], opts: { heartbeatRate: 0.3, returnRate: 0.1 } });
    let added = w.taskIds.length;
    const more = async () => {
      await addTasks(urls[0]!, w, 20, added);
      added += 20;
    };
    const progress = async (n: number) => {
      const before = await openTasks(env.pg.url, w.projectId);
      await waitFor("progress", async () => (await openTasks(env.pg.url, w.projectId)) <= before - n, 120_000);
    };
    try {
      const t0 = Date.now();
      await progress(5);
      const t1 = Date.now();
      for (const delay of [20, 100]) {
        await more();
        proxy.setDelay(delay);
        rec.fault(`redis link delayed ${delay} ms each way`);
        const from = Date.now();
        await progress(5);
        rec.figure(`medianRequestMs delay ${delay}`, median(crew.ledger, from, Date.now()));
      }
      proxy.setDelay(0);
      rec.figure("medianRequestMs no delay", median(crew.ledger, t0, t1));

      for (let k = 0; k < byProfile(2, 5); k++) {
        await more();
        await progress(3);
        rec.figure(`connections reset ${k + 1}`, proxy.dropConnections());
        rec.fault("redis link reset (every connection)");
      }

      await more();
      await progress(3);
      const cut = Date.now();
      proxy.partition();
      rec.fault(`redis link partitioned ${PARTITION_MS / 1000} s`);
      await sleep(PARTITION_MS);
      proxy.heal();
      const healed = Date.now();
      await progress(3);
      rec.figure("slowestRequestMs started during the partition", slowest(crew.ledger, cut, healed));
      rec.figure("partitionMs", healed - cut);

      const open = await untilComplete(env.pg.url, w.projectId, byProfile(180_000, 400_000));
      crew.stop();
      await crew.done;
      const { report, lost } = await finalCheck(env, w, crew.ledger, rec);
      rec.figure("tasksAdded", added);
      rec.figure("openTasksAtEnd", open);
      rec.note("In a partition that keeps connections open, a request that needs Redis waits at most the command timeout (REDIS_COMMAND_TIMEOUT_MS, 1.5 s here), then answers 503; a claim script that timed out marks its project for a rebuild from PostgreSQL, so a claim it may have made unseen is dropped after the heal. A reset fails the requests in flight at once with 503 and ioredis reconnects within its retry delay (≤ 1 s).");
      const passed = open === 0 && !lost.length && !report.violations.length && !crew.ledger.unexpected.length;
      rec.write(passed);

      expect(crew.ledger.unexpected, "answers no careful client expects").toEqual([]);
      expect(open, "tasks never completed").toBe(0);
      expect(lost).toEqual([]);
      expect(report.violations).toEqual([]);
    } finally {
      proxy.heal();
      crew.stop();
      await crew.done;
    }
  });
});
