// Recently read actors, kept in memory only while this instance hears every
// change to them: PostgreSQL announces each change to a user or a membership
// after its commit (`pipelines_actor`, migration actor_notify), and this
// instance's own changes arrive at once through the bus. Without a live
// LISTEN connection the cache is off and every request reads PostgreSQL.
import pg from "pg";
import type { Deps } from "../deps";
import { connectionOf, type Db } from "../infra/prisma";

export const ACTOR_CHANNEL = "pipelines_actor";
const MAX_ENTRIES = 20_000;
const RETRY_MS = [250, 1_000, 5_000];

export class ActorCache<Row> {
  private rows = new Map<string, { row: Row; at: number }>();
  private pending = new Map<string, Promise<Row | undefined>>();
  // Bumped by every forget: a read that started before it must not be kept.
  private generation = 0;
  private live = false;

  constructor(private ttlMs = 0) {}

  get active(): boolean {
    return this.live && this.ttlMs > 0;
  }

  async get(userId: string, load: () => Promise<Row | undefined>): Promise<Row | undefined> {
    if (!this.active) return load();
    // A cache TTL, not domain time: the monotonic clock, which tests need not move.
    const now = performance.now();
    const hit = this.rows.get(userId);
    if (hit && now - hit.at < this.ttlMs) return hit.row;
    let p = this.pending.get(userId);
    if (!p) {
      const gen = this.generation;
      p = load().then((row) => {
        if (this.pending.get(userId) === p) this.pending.delete(userId);
        if (row && this.active && gen === this.generation) this.keep(userId, row, now);
        return row;
      }, (err: unknown) => {
        if (this.pending.get(userId) === p) this.pending.delete(userId);
        throw err;
      });
      this.pending.set(userId, p);
    }
    return p;
  }

  forget(userId: string): void {
    this.generation++;
    this.rows.delete(userId);
    this.pending.delete(userId);
  }

  clear(): void {
    this.generation++;
    this.rows.clear();
    this.pending.clear();
  }

  setLive(live: boolean, ttlMs = this.ttlMs): void {
    this.clear();
    this.live = live;
    this.ttlMs = ttlMs;
  }

  get size(): number {
    return this.rows.size;
  }

  private keep(userId: string, row: Row, at: number): void {
    this.rows.delete(userId);
    this.rows.set(userId, { row, at });
    // Maps iterate in insertion order: the first key is the oldest read.
    if (this.rows.size > MAX_ENTRIES) this.rows.delete(this.rows.keys().next().value!);
  }
}

const caches = new WeakMap<Db, ActorCache<unknown>>();

/** The instance's cache for this client: off until startActorInvalidation turns it on. */
export function actorCacheOf<Row>(db: Db): ActorCache<Row> {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new ActorCache<unknown>()));
  return c as ActorCache<Row>;
}

/**
 * Turns the actor cache on for this instance while a LISTEN connection is up;
 * returns the stop function. Off (a no-op) when ACTOR_CACHE_SECONDS is 0.
 */
export function startActorInvalidation(deps: Deps): () => Promise<void> {
  const conn = connectionOf(deps.db);
  const ttlMs = deps.config.ACTOR_CACHE_SECONDS * 1000;
  if (!conn || ttlMs <= 0) return async () => {};
  // Whoever read an actor first made the cache; the time to live is set when it goes live.
  const cache = actorCacheOf(deps.db);
  const offBus = [
    deps.bus.on("org.people_changed", (e) => cache.forget(e.userId)),
    deps.bus.on("user.sessions_ended", (e) => cache.forget(e.userId)),
    // Team changes (members added, removed, retyped) publish project.changed.
    deps.bus.on("project.changed", () => cache.clear()),
  ];
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;

  const retry = () => {
    cache.setLive(false);
    client = null;
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]);
  };

  const connect = async () => {
    const c = new pg.Client({ connectionString: conn.databaseUrl });
    let down = false;
    const lost = () => {
      if (down) return;
      down = true;
      if (client === c || !client) retry();
      c.end().catch(() => {});
    };
    c.on("error", lost);
    c.on("end", lost);
    c.on("notification", (n) => (n.payload ? cache.forget(n.payload) : cache.clear()));
    try {
      await c.connect();
      await c.query(`LISTEN ${ACTOR_CHANNEL}`);
      if (stopped || down) return void c.end().catch(() => {});
      client = c;
      failures = 0;
      cache.setLive(true, ttlMs);
    } catch {
      lost();
    }
  };
  void connect();

  return async () => {
    stopped = true;
    clearTimeout(timer);
    for (const off of offBus) off();
    cache.setLive(false);
    await client?.end().catch(() => {});
  };
}
