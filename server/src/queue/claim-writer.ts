// Claim records share a transaction when they queue up. While a batch is in
// PostgreSQL, the claims decided meanwhile gather, and leave together as one
// statement: one round trip, one commit, one WAL flush for all of them. Nothing
// waits for a batch to form: a claim that finds no batch in flight leaves at
// once, alone, as the single-claim statement.
//
// Safe to share: each record touches its own task row (Redis granted the task
// to one claimant) and takes its project's advisory lock shared; rows are
// ordered by project and task, so any two batches take their locks in the same
// order. A batch that PostgreSQL refuses (one bad record fails the statement)
// is recorded again claim by claim, so each claim gets its own answer. A batch
// lost with its connection shares that fate: every claim's record is unknown,
// and each caller treats it as it treats a lost single record.
import { isUnavailable } from "../http/error-handler";
import type { Sql } from "./pg";
import { recordClaim, type ClaimArgs, type ClaimRecord } from "./sql";

/** Batches in PostgreSQL at once per pool; the pool's other connections stay free for the rest. */
const IN_FLIGHT = 1;
/** Claims per statement: bounds a statement's time, and so the wait of the claims behind it. */
const MAX_BATCH = 64;

const BATCH_SQL = `SELECT c.n::int AS n, pipelines_claim(c.project, c.generation, c.task, c.node, c.claim, c.usr, c.secret, c.now, c.expires, c.reviews) AS r
FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::text[])
  WITH ORDINALITY AS c(project, generation, task, node, claim, usr, secret, now, expires, reviews, n)`;

interface Waiting {
  args: ClaimArgs;
  resolve: (r: ClaimRecord) => void;
  reject: (err: unknown) => void;
  /** When it was handed to the writer (performance.now()). */
  at: number;
}

/** How long one claim waited for its statement to leave, and how long that statement took (ms). */
export type ClaimTiming = (queuedMs: number, statementMs: number) => void;

export class ClaimWriter {
  private queue: Waiting[] = [];
  private inFlight = 0;
  /** Statements sent and claims recorded through them (read by /metrics, tests and benchmarks). */
  readonly stats = { statements: 0, claims: 0, largest: 0 };
  /** Told of each claim's time in the writer (read by /metrics and benchmarks). */
  readonly timings = new Set<ClaimTiming>();

  constructor(private readonly db: Sql) {}

  record(args: ClaimArgs): Promise<ClaimRecord> {
    return new Promise((resolve, reject) => {
      this.queue.push({ args, resolve, reject, at: performance.now() });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      this.stats.statements++;
      this.stats.claims += batch.length;
      this.stats.largest = Math.max(this.stats.largest, batch.length);
      const sentAt = performance.now();
      void this.send(batch).finally(() => {
        if (this.timings.size) {
          const took = performance.now() - sentAt;
          // A listener's failure must never stall the writer (the pump below).
          for (const w of batch)
            for (const tell of this.timings) {
              try {
                tell(sentAt - w.at, took);
              } catch {
                // a metric lost, never a claim
              }
            }
        }
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) return settle(batch[0]!, () => recordClaim(this.db, batch[0]!.args));
    batch.sort((a, b) => cmp(a.args.projectId, b.args.projectId) || cmp(a.args.taskId, b.args.taskId));
    let rows: Array<{ n: number; r: ClaimRecord }>;
    try {
      rows = await this.db.query<{ n: number; r: ClaimRecord }>(BATCH_SQL, columns(batch.map((w) => w.args)));
    } catch (err) {
      if (isUnavailable(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      // Refused as a whole (nothing of it committed): each claim on its own.
      await Promise.all(batch.map((w) => settle(w, () => recordClaim(this.db, w.args))));
      return;
    }
    const answered = new Set<number>();
    for (const { n, r } of rows) {
      answered.add(n);
      batch[n - 1]!.resolve(r);
    }
    const missing = new Error("A batched claim record returned no row.");
    batch.forEach((w, i) => answered.has(i + 1) || w.reject(missing));
  }
}

async function settle(w: Waiting, run: () => Promise<ClaimRecord>): Promise<void> {
  try {
    w.resolve(await run());
  } catch (err) {
    w.reject(err);
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function columns(all: ClaimArgs[]): unknown[][] {
  return [
    all.map((a) => a.projectId), all.map((a) => a.generation), all.map((a) => a.taskId), all.map((a) => a.nodeId),
    all.map((a) => a.claimId), all.map((a) => a.userId), all.map((a) => a.secret), all.map((a) => a.now),
    all.map((a) => a.expiresAt), all.map((a) => a.reviewsNodeId),
  ];
}

const writers = new WeakMap<Sql, ClaimWriter>();

/** The writer of claim records for one database (one per pool, like `sqlOf`). */
export function claimWriterOf(db: Sql): ClaimWriter {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = new ClaimWriter(db)));
  return w;
}
