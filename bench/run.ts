// `npm run bench`: every scenario in sequence, each in a process of its own,
// against one Redis and one PostgreSQL server (REDIS_URL / DATABASE_URL, or a
// redis-server and an embedded PostgreSQL started here; each scenario makes
// its own scratch database; P5 always starts its own Redis because it wipes it).
// Prints each table with its ratios and writes bench/results/<yyyy-mm-dd>.md
// (never overwriting an earlier run of the day: -2, -3, … are added).
//   BENCH_ONLY=p1,p3   runs a subset   ·   BENCH_ROUNDS=3   rounds per line
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, startRedisServer } from "../server/src/infra/embedded";
import { load, machineFacts, type Machine } from "./lib/machine";
import { formatTable, type ScenarioResult } from "./lib/report";

interface Scenario {
  id: string;
  file: string;
  what: string;
}

const SCENARIOS: Scenario[] = [
  { id: "p1", file: "p1-engine.ts", what: "claim engine vs BullMQ vs the minimal Lua line" },
  { id: "p2", file: "p2-http.ts", what: "durable HTTP cycles vs the durable line and pg-boss" },
  { id: "p3", file: "p3-fanout.ts", what: "socket fan-out to 5,000 clients vs bare Socket.IO" },
  { id: "p4", file: "dashboard.ts", what: "dashboard answer time and live counter staleness (the dashboards area's bench)" },
  { id: "p5", file: "p5-recovery.ts", what: "Redis wiped under load" },
];

const DIR = import.meta.dirname;

async function main() {
  const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
  const chosen = SCENARIOS.filter((s) => !only || only.includes(s.id));
  const stops: Array<() => Promise<void>> = [];
  const env: Record<string, string> = {};
  try {
    env.REDIS_URL = process.env.REDIS_URL ?? (await own(stops, async () => startRedisServer()));
    env.DATABASE_URL =
      process.env.DATABASE_URL ??
      (await own(stops, async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "pipelines-bench-pg-"));
        const pg = await startEmbeddedPostgres(dir, { persistent: false });
        return { url: pg.url, stop: async () => (await pg.stop(), rmSync(dir, { recursive: true, force: true })) };
      }));
    const machine = await machineFacts(env.REDIS_URL, env.DATABASE_URL);
    const started = new Date();
    const loadBefore = load();
    process.stdout.write(`\nPipelines benchmark — ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}, Redis ${machine.redis}, PostgreSQL ${machine.postgres}\n`);
    process.stdout.write(`load average before: ${loadBefore.avg1} (${loadBefore.perCore} per core)\n`);

    const results: Array<{ s: Scenario; r?: ScenarioResult; error?: string; load: number }> = [];
    for (const s of chosen) {
      if (!existsSync(path.join(DIR, s.file))) {
        results.push({ s, error: `bench/${s.file} is not in this checkout`, load: load().avg1 });
        continue;
      }
      process.stdout.write(`\n▶ ${s.id}: ${s.what}\n`);
      const out = await runScenario(s, env);
      results.push({ s, ...out, load: load().avg1 });
    }
    const file = writeResults(machine, started, loadBefore.avg1, results);
    process.stdout.write(`\nSummary\n`);
    for (const { s, r, error } of results) {
      if (!r) process.stdout.write(`  ${s.id}: did not run — ${error}\n`);
      else for (const q of r.ratios) process.stdout.write(`  ${s.id}  ${q.name.padEnd(42)} ${q.value.toFixed(2).padStart(8)}${q.goal ? `  goal ${q.goal}: ${q.met ? "met" : "NOT met"}` : ""}\n`);
    }
    process.stdout.write(`\nWritten: ${path.relative(process.cwd(), file)}\n`);
  } finally {
    for (const s of stops.reverse()) await s().catch(() => {});
  }
}

async function own(stops: Array<() => Promise<void>>, start: () => Promise<{ url: string; stop(): Promise<void> }>): Promise<string> {
  const s = await start();
  stops.push(s.stop);
  return s.url;
}

/** Runs one scenario script as a child; its table goes to our stdout, its result comes back as JSON. */
async function runScenario(s: Scenario, env: Record<string, string>): Promise<{ r?: ScenarioResult; error?: string }> {
  const tmp = mkdtempSync(path.join(tmpdir(), "bench-out-"));
  const out = path.join(tmp, `${s.id}.json`);
  const started = performance.now();
  let tail: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(DIR, s.file)], {
      env: { ...process.env, ...env, BENCH_OUT: out },
      stdio: ["ignore", "pipe", "inherit"],
    });
    // Shown as it comes, and the last lines kept for scenarios that print their own summary.
    child.stdout!.on("data", (d: Buffer) => {
      process.stdout.write(d);
      tail = [...tail, ...d.toString().split("\n").filter((l) => l.trim())].slice(-8);
    });
    child.on("exit", (c) => resolve(c ?? 1));
  });
  try {
    if (existsSync(out)) return { r: JSON.parse(readFileSync(out, "utf8")) as ScenarioResult };
    if (code !== 0) return { error: `exited with code ${code}` };
    // A scenario of another area that writes its own report: keep its closing lines.
    const seconds = (performance.now() - started) / 1000;
    return { r: { id: s.id, title: `${s.id.toUpperCase()} (bench/${s.file}, its own report; closing lines)`, seconds, rows: [], ratios: [], notes: tail } };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function writeResults(m: Machine, started: Date, loadBefore: number, results: Array<{ s: Scenario; r?: ScenarioResult; error?: string; load: number }>): string {
  const dir = path.join(DIR, "results");
  mkdirSync(dir, { recursive: true });
  const day = started.toISOString().slice(0, 10);
  let file = path.join(dir, `${day}.md`);
  for (let i = 2; existsSync(file); i++) file = path.join(dir, `${day}-${i}.md`);
  const lines = [
    `# Benchmark run ${started.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    ``,
    `| machine | |`,
    `|---|---|`,
    `| CPU | ${m.cores} cores, ${m.cpu} |`,
    `| memory | ${m.memoryGb} GB |`,
    `| OS | ${m.os} |`,
    `| Node | ${m.node} |`,
    `| Redis | ${m.redis} |`,
    `| PostgreSQL | ${m.postgres} |`,
    `| peers | ${m.peers} |`,
    `| load average (1 min) | ${loadBefore} before; after each scenario: ${results.map((x) => `${x.s.id} ${x.load.toFixed(2)}`).join(", ")} |`,
    ``,
    `Command: \`npm run bench\`${process.env.BENCH_ONLY ? ` with BENCH_ONLY=${process.env.BENCH_ONLY}` : ""}. Figures are comparable only within this run (this VM drifts 20–30% between runs); lines that ran several rounds show each round and their median.`,
    ``,
  ];
  for (const { s, r, error } of results) {
    lines.push(`## ${s.id.toUpperCase()} — ${s.what}`, ``);
    if (!r) {
      lines.push(`Did not run: ${error}.`, ``);
      continue;
    }
    lines.push("```", formatTable(r), "```", ``);
  }
  writeFileSync(file, lines.join("\n"));
  return file;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
