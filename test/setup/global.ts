// Real services for the whole run: a fresh PostgreSQL database and a Redis,
// started here when none is configured. TEST_DATABASE_URL (a server to create a
// scratch database on) and TEST_REDIS_URL reuse running services instead.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, startRedisServer, type Started } from "../../server/src/infra/embedded";
import { migrate } from "../../server/src/infra/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const stops: Array<() => Promise<void>> = [];
  let databaseUrl: string;
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    const name = `pipelines_test_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    stops.push(async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    });
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "pipelines-test-pg-"));
    const started: Started = await startEmbeddedPostgres(dir, { persistent: false });
    databaseUrl = started.url;
    stops.push(async () => {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    });
  }
  await migrate(databaseUrl);

  let redisUrl = process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    const r = await startRedisServer();
    redisUrl = r.url;
    stops.push(r.stop);
  }

  project.provide("databaseUrl", databaseUrl);
  project.provide("redisUrl", redisUrl);
  return async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
}
