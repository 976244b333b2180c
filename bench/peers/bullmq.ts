// The BullMQ peer for P1: one Worker with concurrency 100 taking and completing
// no-op jobs, on the same Redis as our engine, same number of items. Jobs are
// added before the clock starts; completed jobs are removed (`removeOnComplete`),
// BullMQ's cheapest setting and the closest to our engine, where a finished task
// leaves Redis. Time runs from the worker's start until the last completion.
import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { LineResult } from "../reference/lines";

export async function runBullmq(opts: { redisUrl: string; items: number; concurrency?: number }): Promise<LineResult> {
  const prefix = `bbench-${randomUUID().slice(0, 8)}`;
  const name = "jobs";
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection, prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  try {
    for (let i = 0; i < opts.items; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, opts.items - i) }, (_, j) => ({ name: "t", data: { i: i + j } }));
      await queue.addBulk(batch);
    }
    let done = 0;
    let finish!: () => void;
    let fail!: (err: Error) => void;
    const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
    const workerConnection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(name, async () => {}, {
      connection: workerConnection,
      prefix,
      concurrency: opts.concurrency ?? 100,
      autorun: false,
    });
    worker.on("completed", () => {
      if (++done === opts.items) finish();
    });
    worker.on("failed", (_job, err) => fail(err));
    const started = performance.now();
    void worker.run();
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await worker.close();
    workerConnection.disconnect();
    const left = await queue.getJobCounts("waiting", "active", "completed", "failed");
    if (left.waiting || left.active || left.failed) throw new Error(`BullMQ peer left jobs behind: ${JSON.stringify(left)}`);
    return { items: done, seconds, perSecond: done / seconds };
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    connection.disconnect();
  }
}
