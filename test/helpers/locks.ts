// Forcing an interleaving: the test's own transaction holds a lock, a request
// stops on it, and the test waits (by asking PostgreSQL, never by sleeping)
// until the requests it wants are queued behind that lock before releasing it.
import pg from "pg";
import { inject } from "vitest";

export interface Held {
  pid: number;
  release(): Promise<void>;
}

/** A transaction of the test's own holding what `lockSql` locks until release; `lockSql` must lock one row. */
export async function hold(lockSql: string, params: unknown[]): Promise<Held> {
  const c = new pg.Client({ connectionString: inject("databaseUrl") });
  await c.connect();
  await c.query("BEGIN");
  const locked = await c.query(lockSql, params);
  if (locked.rowCount !== 1) throw new Error(`hold: ${lockSql} locked ${locked.rowCount} rows`);
  const pid: number = (await c.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
  return {
    pid,
    async release() {
      await c.query("ROLLBACK");
      await c.end();
    },
  };
}

/** Holds one row of `table` (by id) FOR UPDATE, or FOR SHARE, until release. */
export const holdRow = (table: string, id: string, mode: "UPDATE" | "SHARE" = "UPDATE"): Promise<Held> =>
  hold(`SELECT 1 FROM "${table}" WHERE id = $1 FOR ${mode}`, [id]);

/** How many backends wait on `pid`, directly or behind another waiter. */
export async function waitingOn(watcher: pg.Client, pid: number): Promise<number> {
  const r = await watcher.query(
    `WITH RECURSIVE w(pid) AS (
       SELECT pid FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))
       UNION SELECT a.pid FROM pg_stat_activity a JOIN w ON w.pid = ANY(pg_blocking_pids(a.pid)))
     SELECT count(*)::int AS n FROM w`,
    [pid],
  );
  return r.rows[0].n;
}

/** Until `n` backends wait on the holder, or `request` (when given) has answered. */
export async function until(watcher: pg.Client, pid: number, n: number, request?: Promise<unknown>): Promise<void> {
  let answered = false;
  void request?.finally(() => (answered = true));
  for (let i = 0; i < 400; i++) {
    if (answered || (await waitingOn(watcher, pid)) >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never saw ${n} request(s) wait on the held lock`);
}

/** Whether `p` has settled by now (after the microtasks already queued). */
export async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.finally(() => (done = true)).catch(() => {});
  await new Promise((r) => setImmediate(r));
  return done;
}
