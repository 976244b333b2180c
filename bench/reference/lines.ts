// The reference lines: what this machine can do with the least possible work of
// our key shape, so every other figure is read against them in the same run.
//  - minimal Lua line: one Lua claim (pop the best ready task, record the holder,
//    count it, set a lease) and one Lua complete (check the holder, drop the
//    counters) per item; one ioredis connection, 100 concurrent loops.
//  - durable minimal line: the same plus one PostgreSQL INSERT per claim and one
//    UPDATE per completion (a pg pool of the app's size).
// No checks beyond exclusivity (a task is never held twice) and the counters,
// which are verified after each round so a fast but wrong line cannot pass.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type pg from "pg";
import { deletePrefix } from "../lib/services";
import { concurrently } from "../lib/stats";

const CLAIM = `
local t = redis.call('ZPOPMIN', KEYS[1])
if #t == 0 then return false end
redis.call('HSET', KEYS[2], t[1], ARGV[1] .. '|' .. ARGV[2])
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
redis.call('ZADD', KEYS[4], ARGV[3], t[1])
redis.call('HINCRBY', KEYS[5], ARGV[4], 1)
return t[1]`;

const COMPLETE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] .. '|' .. ARGV[3] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], ARGV[3], -1)
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HINCRBY', KEYS[4], ARGV[4], -1)
return 1`;

type LineRedis = Redis & {
  refClaim(ready: string, claim: string, perUser: string, deadlines: string, busy: string, claimId: string, user: string, deadline: number, node: string): Promise<string | null>;
  refComplete(claim: string, perUser: string, deadlines: string, busy: string, task: string, claimId: string, user: string, node: string): Promise<number>;
};

function withScripts(redis: Redis): LineRedis {
  const r = redis as LineRedis;
  if (!(r as unknown as { refClaim?: unknown }).refClaim) {
    redis.defineCommand("refClaim", { numberOfKeys: 5, lua: CLAIM });
    redis.defineCommand("refComplete", { numberOfKeys: 4, lua: COMPLETE });
  }
  return r;
}

export interface LineOptions {
  redis: Redis;
  items: number;
  concurrency?: number;
  /** With a pool: one INSERT per claim and one UPDATE per completion (the durable line). */
  pool?: pg.Pool;
}

export interface LineResult {
  items: number;
  seconds: number;
  perSecond: number;
}

/** Creates the durable line's table (once per database). */
export async function prepareDurableLine(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_ref_claim (
    id uuid PRIMARY KEY, task_id text NOT NULL, user_id text NOT NULL, outcome text NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now(), ended_at timestamptz)`);
  await pool.query(`TRUNCATE bench_ref_claim`);
}

export async function runLine(opts: LineOptions): Promise<LineResult> {
  const redis = withScripts(opts.redis);
  const { p, k } = await freshLine(redis, opts.items);
  const concurrency = opts.concurrency ?? 100;
  const held = new Set<string>();
  let done = 0;
  const started = performance.now();
  await concurrently(concurrency, async (w) => {
    const user = `u${w}`;
    for (;;) {
      const c = await claimItem(redis, k, user, opts.pool);
      if (!c) return;
      if (held.has(c.task)) throw new Error(`reference line: task ${c.task} held twice`);
      held.add(c.task);
      await completeItem(redis, k, user, c, opts.pool);
      held.delete(c.task);
      done++;
    }
  });
  const seconds = (performance.now() - started) / 1000;
  await verify(redis, k, done, opts.items);
  await deletePrefix(redis, p);
  return { items: done, seconds, perSecond: done / seconds };
}

export interface OpenLoopResult {
  achieved: number;
  /** Per item, ms: Lua claim + INSERT (from its scheduled start), then Lua complete + UPDATE. */
  claim: number[];
  complete: number[];
}

/**
 * The durable line on a fixed schedule (`rate` items/s for `seconds`) instead of
 * as fast as it goes: its latencies at the rate our HTTP cycles are measured at,
 * with the same two commits per item, show what this machine's PostgreSQL gives a
 * commit at that rate.
 */
export async function openLoopLine(opts: { redis: Redis; pool: pg.Pool; rate: number; seconds: number }): Promise<OpenLoopResult> {
  const redis = withScripts(opts.redis);
  const total = Math.round(opts.rate * opts.seconds);
  const { p, k } = await freshLine(redis, total);
  const out: OpenLoopResult = { achieved: 0, claim: [], complete: [] };
  const one = async (user: string) => {
    const t0 = performance.now();
    const c = await claimItem(redis, k, user, opts.pool);
    if (!c) throw new Error("reference line: ran out of tasks");
    const t1 = performance.now();
    out.claim.push(t1 - t0);
    await completeItem(redis, k, user, c, opts.pool);
    out.complete.push(performance.now() - t1);
  };
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / opts.rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    running.push(one(`u${i % 100}`));
  }
  await Promise.all(running);
  out.achieved = total / ((performance.now() - started) / 1000);
  await verify(redis, k, total, total);
  await deletePrefix(redis, p);
  return out;
}

type LineKeys = Awaited<ReturnType<typeof freshLine>>["k"];

/** One item's claim: the Lua claim, then (durable line) its INSERT. Null when no task is left. */
async function claimItem(redis: LineRedis, k: LineKeys, user: string, pool?: pg.Pool): Promise<{ task: string; claimId: string } | null> {
  const claimId = randomUUID();
  const task = await redis.refClaim(k.ready, k.claim, k.perUser, k.deadlines, k.busy, claimId, user, Date.now() + 600_000, "n1");
  if (!task) return null;
  if (pool) await pool.query(`INSERT INTO bench_ref_claim (id, task_id, user_id) VALUES ($1, $2, $3)`, [claimId, task, user]);
  return { task, claimId };
}

/** Its completion: the Lua complete (the holder checked), then (durable line) its UPDATE. */
async function completeItem(redis: LineRedis, k: LineKeys, user: string, c: { task: string; claimId: string }, pool?: pg.Pool): Promise<void> {
  if ((await redis.refComplete(k.claim, k.perUser, k.deadlines, k.busy, c.task, c.claimId, user, "n1")) !== 1) throw new Error(`reference line: completion of ${c.task} refused`);
  if (pool) await pool.query(`UPDATE bench_ref_claim SET outcome = 'submitted', ended_at = now() WHERE id = $1 AND outcome = 'active'`, [c.claimId]);
}

/** A line's keys under a fresh project prefix, with `items` ready tasks. */
async function freshLine(redis: Redis, items: number) {
  const p = `bref:{p:${randomUUID()}}:`;
  const k = { ready: `${p}r:n1`, claim: `${p}claim`, perUser: `${p}nu`, deadlines: `${p}dl`, busy: `${p}busy` };
  for (let i = 0; i < items; i += 5000) {
    const args: Array<string | number> = [];
    for (let j = i; j < Math.min(items, i + 5000); j++) args.push(j, `t${j}`);
    await redis.zadd(k.ready, ...args);
  }
  return { p, k };
}

async function verify(redis: Redis, k: Record<string, string>, done: number, items: number): Promise<void> {
  if (done !== items) throw new Error(`reference line: ${done} of ${items} items completed`);
  const [claims, deadlines, perUser, busy] = await Promise.all([redis.hlen(k.claim!), redis.zcard(k.deadlines!), redis.hvals(k.perUser!), redis.hget(k.busy!, "n1")]);
  if (claims || deadlines || perUser.some((v) => v !== "0") || busy !== "0") throw new Error("reference line: counters did not return to zero");
}
