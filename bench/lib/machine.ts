// The facts every figure is read against: the machine and the versions of
// what ran, plus how busy the machine was (load average) while it ran.
import { readFileSync } from "node:fs";
import os from "node:os";
import { Redis } from "ioredis";
import pg from "pg";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  redis: string;
  postgres: string;
  peers: string;
}

export async function machineFacts(redisUrl: string, databaseUrl: string): Promise<Machine> {
  const r = new Redis(redisUrl, { lazyConnect: true });
  await r.connect();
  const info = await r.info("server");
  r.disconnect();
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const v = (await c.query("SHOW server_version")).rows[0].server_version as string;
  await c.end();
  const pkg = (name: string) => {
    try {
      return (JSON.parse(requireText(`node_modules/${name}/package.json`)) as { version: string }).version;
    } catch {
      return "?";
    }
  };
  return {
    cpu: os.cpus()[0]?.model ?? "?",
    cores: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? "?",
    postgres: v,
    peers: `bullmq ${pkg("bullmq")}, pg-boss ${pkg("pg-boss")}, socket.io ${pkg("socket.io")}, ioredis ${pkg("ioredis")}`,
  };
}

function requireText(rel: string): string {
  // Read relative to the repository root (bench/lib/ → ../../).
  return readFileSync(new URL(`../../${rel}`, import.meta.url), "utf8");
}

/** 1-minute load average, and what it means on this many cores. */
export function load(): { avg1: number; perCore: number } {
  const avg1 = os.loadavg()[0]!;
  return { avg1: Math.round(avg1 * 100) / 100, perCore: Math.round((avg1 / os.cpus().length) * 100) / 100 };
}

/** CPU time every core of this machine spent busy since boot, ms (Linux /proc/stat; 0 elsewhere). */
export function machineBusyMs(): number {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = f.slice(0, 8).reduce((a, b) => a + b, 0) - f[3]! - f[4]!;
    return (busy * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}
