// The facts every figure is read against: the machine and the versions of
// what ran, plus how busy the machine was (load average) while it ran.
import { readdirSync, readFileSync } from "node:fs";
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

/** CPU time (ms) of each live process by name, per process id (Linux /proc; empty elsewhere). */
export type ProcessCpu = Map<number, { name: string; ms: number }>;

export function processCpu(names: readonly string[]): ProcessCpu {
  const out: ProcessCpu = new Map();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const p of pids) {
    try {
      const s = readFileSync(`/proc/${p}/stat`, "utf8");
      // The name sits in parentheses and may hold spaces; the fields after it are plain.
      const close = s.lastIndexOf(")");
      const name = s.slice(s.indexOf("(") + 1, close);
      if (!names.includes(name)) continue;
      const f = s.slice(close + 2).split(" ");
      out.set(Number(p), { name, ms: ((Number(f[11]) + Number(f[12])) * 1000) / 100 }); // utime + stime, USER_HZ 100
    } catch {
      // the process ended between the listing and the read
    }
  }
  return out;
}

/**
 * CPU each name used between two readings. A process that started in between
 * counts from zero; one that ended in between is missed (PostgreSQL's pool
 * backends and redis-server live through a round; a short autovacuum worker may not).
 */
export function cpuBetween(before: ProcessCpu, after: ProcessCpu): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [pid, a] of after) used[a.name] = (used[a.name] ?? 0) + a.ms - (before.get(pid)?.ms ?? 0);
  return used;
}
