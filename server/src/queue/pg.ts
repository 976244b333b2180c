// The claim path's statements go to PostgreSQL through pg directly: each is a
// single call of one of the engine's SQL functions, and Prisma's per-query
// work costs about ten times the CPU of the query itself on this path. They
// use the Prisma client's own pg pool (one pool per process, with its fault
// handling, infra/prisma.ts); for a client made elsewhere they go through Prisma.
import { createHash } from "node:crypto";
import type pg from "pg";
import type { Deps } from "../deps";
import { connectionOf, type Db, type Tx } from "../infra/prisma";

export interface Sql {
  query<T>(text: string, values: unknown[]): Promise<T[]>;
}

const pools = new WeakMap<Db, Sql>();

/** The engine's fast path to the deps' database. */
export function sqlOf(deps: Deps): Sql {
  return sqlOfDb(deps.db);
}

/** The same for a bare client (per-request reads outside the engine: the actor). */
export function sqlOfDb(db: Db): Sql {
  let sql = pools.get(db);
  if (!sql) {
    const conn = connectionOf(db);
    sql = conn ? poolSql(conn.pool) : prismaSql(db);
    pools.set(db, sql);
  }
  return sql;
}

/** Statements inside a Prisma transaction (e.g. with an audit entry). */
export function prismaSql(db: Db | Tx): Sql {
  return { query: <T>(text: string, values: unknown[]) => db.$queryRawUnsafe<T[]>(text, ...values) };
}

// Named (prepared) statements: each connection parses and plans a statement once
// instead of on every call. Every text here is a constant with parameters, so
// the set is small. The actor read planned in 0.25 ms and ran in 0.14 ms: on
// the hot path PostgreSQL spent more time planning than executing it.
const names = new Map<string, string>();
const nameOf = (text: string) => {
  let n = names.get(text);
  if (!n) names.set(text, (n = `pl_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`));
  return n;
};

function poolSql(pool: pg.Pool): Sql {
  return { query: async <T>(text: string, values: unknown[]) => (await pool.query({ name: nameOf(text), text, values })).rows as T[] };
}
