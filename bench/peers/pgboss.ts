// The pg-boss peer for P2: fetch → complete loops on the same PostgreSQL as our
// server (its own schema in the scratch database). `work()` polls every 2 s by
// default, so the fair throughput loop calls `fetch()` and `complete()` directly,
// one job per cycle like one claim → submit; jobs are inserted before the clock
// starts. pg-boss pays for no HTTP, JSON validation or Redis at all.
import { PgBoss } from "pg-boss";
import type { LineResult } from "../reference/lines";
import { concurrently } from "../lib/stats";

export interface PgBossPeer {
  /** Runs one round of `items` jobs through `concurrency` fetch → complete loops. */
  round(items: number, concurrency: number, batchSize?: number): Promise<LineResult>;
  stop(): Promise<void>;
}

export async function startPgBoss(databaseUrl: string, poolSize = 10): Promise<PgBossPeer> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: "pgboss_bench", max: poolSize, supervise: false, schedule: false });
  boss.on("error", (err) => process.stderr.write(`pg-boss: ${String(err)}\n`));
  await boss.start();
  let n = 0;
  return {
    async round(items, concurrency, batchSize = 1) {
      const name = `bench-${n++}`;
      await boss.createQueue(name);
      for (let i = 0; i < items; i += 1000) {
        await boss.insert(name, Array.from({ length: Math.min(1000, items - i) }, (_, j) => ({ data: { i: i + j } })));
      }
      const seen = new Set<string>();
      let done = 0;
      const started = performance.now();
      await concurrently(concurrency, async () => {
        for (;;) {
          const jobs = await boss.fetch(name, { batchSize });
          if (jobs.length === 0) return;
          for (const j of jobs) {
            if (seen.has(j.id)) throw new Error(`pg-boss peer: job ${j.id} fetched twice`);
            seen.add(j.id);
          }
          await boss.complete(
            name,
            jobs.map((j) => j.id),
          );
          done += jobs.length;
        }
      });
      const seconds = (performance.now() - started) / 1000;
      if (done !== items) throw new Error(`pg-boss peer: ${done} of ${items} jobs completed`);
      await boss.deleteQueue(name);
      return { items: done, seconds, perSecond: done / seconds };
    },
    stop: () => boss.stop({ graceful: false }),
  };
}
