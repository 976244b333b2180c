// The services a scenario measures against. REDIS_URL / DATABASE_URL are used when
// set (a scratch database is created on that PostgreSQL server and dropped after);
// otherwise a redis-server and an embedded PostgreSQL are started for the run.
// A Redis we did not start is never flushed: scenarios work under their own key
// prefix and delete only their keys. Scenarios that wipe Redis ask for `ownRedis`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, startRedisServer } from "../../server/src/infra/embedded";
import { migrate } from "../../server/src/infra/migrate";

export interface Services {
  redisUrl: string;
  /** True when this process started the redis-server (it may be flushed). */
  redisOwned: boolean;
  /** A scratch database with the app's migrations applied. */
  databaseUrl: string;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Always start a redis-server of our own (the scenario wipes it). */
  ownRedis?: boolean;
  /** Apply the app's migrations to the scratch database (default true). */
  migrate?: boolean;
  /** Names the scratch database. */
  label: string;
}

export async function startServices(opts: ServiceOptions): Promise<Services> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    let redisUrl = opts.ownRedis ? undefined : process.env.REDIS_URL;
    const redisOwned = !redisUrl;
    if (!redisUrl) {
      const r = await startRedisServer();
      stops.push(r.stop);
      redisUrl = r.url;
    }
    let server = process.env.DATABASE_URL;
    if (!server) {
      const dir = mkdtempSync(path.join(tmpdir(), "pipelines-bench-pg-"));
      const started = await startEmbeddedPostgres(dir, { persistent: false });
      stops.push(async () => {
        await started.stop();
        rmSync(dir, { recursive: true, force: true });
      });
      server = started.url;
    }
    const databaseUrl = await scratchDatabase(server, opts.label, stops);
    if (opts.migrate !== false) await migrate(databaseUrl);
    return { redisUrl, redisOwned, databaseUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function scratchDatabase(server: string, label: string, stops: Array<() => Promise<void>>): Promise<string> {
  const name = `bench_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  stops.push(async () => {
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Deletes the keys under a prefix (never a whole database: the Redis may be shared). */
export async function deletePrefix(redis: import("ioredis").Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== "0");
}
