// A redis-server this scenario owns (never the run's shared one): it can be
// SIGKILLed, SIGSTOPped, and started again on the same port, always empty
// (startRedisServer keeps nothing on disk, like a cache node that lost its memory).
import { Redis } from "ioredis";
import { freePort, startRedisServer, type Started } from "../../../server/src/infra/embedded";

const pids = new Set<number>();
process.once("exit", () => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
});

export class OwnedRedis {
  private current: Started | null = null;
  private pid = 0;
  url = "";

  constructor(readonly port: number) {}

  static async start(): Promise<OwnedRedis> {
    const r = new OwnedRedis(await freePort());
    await r.start();
    return r;
  }

  get running(): boolean {
    return this.current !== null;
  }

  async start(): Promise<void> {
    // The port may linger a moment after a kill: retry briefly.
    for (let i = 0; ; i++) {
      try {
        this.current = await startRedisServer({ port: this.port });
        break;
      } catch (err) {
        if (i >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.url = this.current.url;
    const c = this.client();
    try {
      const info = await c.info("server");
      this.pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
      if (!(this.pid > 0)) throw new Error(`redis-server on ${this.port} did not tell its pid`);
      pids.add(this.pid);
    } finally {
      c.disconnect();
    }
  }

  /** A direct connection for the test itself (invariant checks), not through any proxy. */
  client(): Redis {
    return new Redis(`redis://127.0.0.1:${this.port}`, { maxRetriesPerRequest: 2, lazyConnect: false });
  }

  /** SIGKILL: no shutdown, every connection reset, all data gone. */
  async kill(): Promise<void> {
    if (!this.current) return;
    process.kill(this.pid, "SIGKILL");
    pids.delete(this.pid);
    await this.current.stop(); // resolves once the process has exited
    this.current = null;
  }

  /** Freeze or thaw the process (connections stay open, nothing answers). */
  pause(): void {
    process.kill(this.pid, "SIGSTOP");
  }

  resume(): void {
    process.kill(this.pid, "SIGCONT");
  }

  /** Killed and started again on the same port, empty. */
  async restartEmpty(downMs = 0): Promise<void> {
    await this.kill();
    if (downMs) await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }

  async stop(): Promise<void> {
    if (!this.current) return;
    try {
      this.resume();
    } catch {
      /* not paused */
    }
    await this.current.stop();
    pids.delete(this.pid);
    this.current = null;
  }
}
