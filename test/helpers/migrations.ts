// A scratch database migrated up to just before one migration, for tests that put rows
// there as an older version left them and then check what that migration does to them.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { MIGRATIONS_DIR, migrate } from "../../server/src/infra/migrate";

export interface BeforeMigration {
  /** A connection to the scratch database. */
  q: (sql: string, args?: unknown[]) => Promise<Record<string, unknown>[]>;
  /** Applies the rest (the migration under test first): the names applied. */
  migrateRest: () => Promise<string[]>;
  /** Drops the database; call in `finally`. */
  drop: () => Promise<void>;
}

export async function databaseBefore(name: string): Promise<BeforeMigration> {
  const base = inject("databaseUrl");
  const db = `pipelines_before_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const url = new URL(base);
  url.pathname = `/${db}`;
  const before = mkdtempSync(path.join(tmpdir(), "migrations-"));
  for (const n of readdirSync(MIGRATIONS_DIR).filter((n) => n < name)) {
    mkdirSync(path.join(before, n));
    symlinkSync(path.join(MIGRATIONS_DIR, n, "migration.sql"), path.join(before, n, "migration.sql"));
  }
  const c = new pg.Client({ connectionString: url.toString() });
  const drop = async () => {
    await c.end().catch(() => {});
    rmSync(before, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  };
  try {
    await migrate(url.toString(), before);
    await c.connect();
  } catch (err) {
    await drop();
    throw err;
  }
  return {
    q: async (sql, args = []) => (await c.query(sql, args)).rows,
    migrateRest: () => migrate(url.toString()),
    drop,
  };
}
