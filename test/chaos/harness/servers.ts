// Real server processes (server/src/main.ts under node + tsx, one process each,
// so a signal reaches the server itself), started against the scenario's
// PostgreSQL and Redis, killable with SIGKILL, freezable with SIGSTOP, restartable.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../../server/src/infra/embedded";

export const CHAOS_JWT_SECRET = "chaos-secret-chaos-secret-chaos-secret";
export const CHAOS_ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");
const ROOT = path.resolve(import.meta.dirname, "../../..");

export interface ServerOptions {
  name: string;
  /** The scenario, to name its log files. */
  label?: string;
  databaseUrl: string;
  redisUrl: string;
  /** Extra environment (e.g. CLOCK_OFFSET_MS for the skewed instance). */
  env?: Record<string, string>;
}

// Whatever happens to the test process, its servers do not outlive it.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of running) c.kill("SIGKILL");
});

export class ServerProcess {
  private child: ChildProcess | null = null;
  private out: string[] = [];
  port = 0;
  starts = 0;
  kills = 0;

  constructor(readonly opts: ServerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts (on the same port as before, if it had one) and waits until /readyz answers 200. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (!this.port) this.port = await freePort();
    const env = {
      ...process.env,
      NODE_ENV: "test",
      PORT: String(this.port),
      DATABASE_URL: this.opts.databaseUrl,
      REDIS_URL: this.opts.redisUrl,
      JWT_SECRET: CHAOS_JWT_SECRET,
      ENCRYPTION_KEY: CHAOS_ENCRYPTION_KEY,
      DEMO: "0",
      LOG_LEVEL: "warn",
      RATE_LIMIT_PER_MIN: "1000000",
      DATA_DIR: path.join(ROOT, ".data", "chaos"),
      ...this.opts.env,
    };
    const child = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    running.add(child);
    child.once("exit", () => running.delete(child));
    this.starts++;
    // Every instance's whole output, for a failure's post-mortem (CHAOS_SERVER_LOGS=<dir> to put it elsewhere).
    const dir = process.env.CHAOS_SERVER_LOGS ?? path.join(ROOT, "test-results", "chaos", "logs");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${this.opts.label ?? "server"}-${this.opts.name}-${this.port}.log`);
    const keep = (d: Buffer) => {
      appendFileSync(file, d);
      this.out.push(d.toString());
      if (this.out.length > 200) this.out.splice(0, this.out.length - 200);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    await this.waitReady(timeoutMs);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!this.alive) throw new Error(`${this.opts.name} exited while starting:\n${this.log()}`);
      try {
        const r = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (r.status === 200) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.opts.name} not ready within ${timeoutMs} ms:\n${this.log()}`);
  }

  /** The last lines the process wrote (for failure messages). */
  log(): string {
    return this.out.join("").split("\n").slice(-40).join("\n");
  }

  /** Sends a signal; for SIGKILL waits until the process is gone. */
  async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    if (sig === "SIGKILL" || sig === "SIGTERM") {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill(sig);
      await exited;
      if (sig === "SIGKILL") this.kills++;
      return;
    }
    child.kill(sig);
  }

  kill(): Promise<void> {
    return this.signal("SIGKILL");
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child!.kill("SIGCONT");
    const exited = new Promise<void>((r) => this.child!.once("exit", () => r()));
    this.child!.kill("SIGTERM");
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Starts n servers side by side (in parallel: each compiles the sources once). */
export async function startServers(n: number, base: Omit<ServerOptions, "name">, perServer: (i: number) => Partial<ServerOptions> = () => ({})) {
  const servers = Array.from({ length: n }, (_, i) => new ServerProcess({ ...base, name: `server-${i + 1}`, ...perServer(i) }));
  await Promise.all(servers.map((s) => s.start()));
  return servers;
}
