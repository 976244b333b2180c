import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

export type Db = PrismaClient;
/** A Prisma transaction client: what commands receive so the caller owns the transaction. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export function createPrisma(databaseUrl: string, poolSize = 10): PrismaClient {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Every session in UTC, whatever the database's default (initdb writes the host's zone):
    // Prisma's pg adapter sends a Date as UTC wall-clock text without an offset, which
    // PostgreSQL reads in the session's zone, so any other zone shifts every instant written
    // or compared (prisma/orm#28629; test/server/dashboard-timezone.test.ts). pg-pool awaits
    // this before it hands the new connection out; if it fails, the connection is dropped
    // and the acquire fails with it.
    onConnect: (c) => c.query("SET TIME ZONE 'UTC'"),
  });
  // pg-pool hands a freed client to a waiting connect() whose 'error' listener is
  // attached a microtask later; a FATAL that arrived in the same read (a
  // terminated backend, a restart) is emitted in between, with no listener, and
  // ends the process (found by test/chaos/postgres-faults.test.ts). A permanent
  // listener on every client closes that gap; queries still get their errors.
  pool.on("connect", (c) => c.on("error", () => releaseIfHeld(pool, c)));
  pool.on("error", () => {}); // an idle client's broken connection: the pool drops it
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const client = new PrismaClient({ adapter });
  connections.set(client, { databaseUrl, poolSize, pool });
  return client;
}

/**
 * Prisma ends an interactive transaction by sending COMMIT/ROLLBACK and only then
 * releasing the connection; when that statement fails (the connection was
 * terminated) the release never happens and the pool slot is gone for good:
 * after `max` such faults the instance waits forever for a connection (found by
 * test/chaos/postgres-faults.test.ts). A client that broke while checked out is
 * unusable anyway: once its current holder had its chance (pool.query releases
 * at once), give it back with the error so the pool replaces it.
 */
function releaseIfHeld(pool: pg.Pool, client: pg.PoolClient | pg.Client): void {
  setImmediate(() => {
    const p = pool as unknown as { _clients: unknown[]; _idle: Array<{ client: unknown }> };
    const held = p._clients.includes(client) && !p._idle.some((i) => i.client === client);
    if (!held) return;
    try {
      (client as pg.PoolClient).release(new Error("connection broken while checked out"));
    } catch {
      // released meanwhile by its holder
    }
  });
}

const connections = new WeakMap<PrismaClient, { databaseUrl: string; poolSize: number; pool: pg.Pool }>();

/** Where a client connects, and its pool: the claim engine's hot path talks to PostgreSQL with pg directly. */
export const connectionOf = (db: PrismaClient) => connections.get(db);
