// What a scenario hands back, and how it is printed. Run alone, a scenario
// prints its own table; under bench/run.ts (BENCH_OUT set) it also writes its
// result as JSON for the summary and the results file.
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { fmt } from "./stats";

export interface Row {
  /** What was measured ("minimal Lua line", "BullMQ worker", …). */
  line: string;
  value: number;
  unit: string;
  /** Each round's value, when the line ran several rounds (value is their median). */
  rounds?: number[];
  detail?: string;
}

export interface Ratio {
  name: string;
  value: number;
  /** The goal as written in the issue, e.g. "≥ 0.9". */
  goal?: string;
  met?: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  seconds: number;
  rows: Row[];
  ratios: Ratio[];
  notes: string[];
}

const digitsFor = (v: number) => (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);

export function formatTable(r: ScenarioResult): string {
  const lines: string[] = [`${r.title}  (${fmt(r.seconds, 0)} s)`];
  const w = Math.max(...r.rows.map((x) => x.line.length), ...r.ratios.map((x) => x.name.length), 10);
  for (const row of r.rows) {
    const rounds = row.rounds && row.rounds.length > 1 ? `  rounds: ${row.rounds.map((v) => fmt(v, digitsFor(v))).join(" / ")}` : "";
    lines.push(`  ${row.line.padEnd(w)}  ${fmt(row.value, digitsFor(row.value)).padStart(10)} ${row.unit}${rounds}${row.detail ? `  (${row.detail})` : ""}`);
  }
  for (const q of r.ratios) {
    const verdict = q.goal ? `  goal ${q.goal}: ${q.met ? "met" : "NOT met"}` : "";
    lines.push(`  ${q.name.padEnd(w)}  ${fmt(q.value, 2).padStart(10)}${verdict}`);
  }
  for (const n of r.notes) lines.push(`  · ${n}`);
  return lines.join("\n");
}

/** A ratio with its goal checked: `at least` (≥) or `at most` (≤). */
export function ratio(name: string, value: number, goal?: { atLeast?: number; atMost?: number; text?: string }): Ratio {
  if (!goal) return { name, value };
  const met = goal.atLeast !== undefined ? value >= goal.atLeast : goal.atMost !== undefined ? value <= goal.atMost : undefined;
  const text = goal.text ?? (goal.atLeast !== undefined ? `≥ ${goal.atLeast}` : `≤ ${goal.atMost}`);
  return { name, value, goal: text, met };
}

/** True when this module is the script node was started with (not imported by run.ts). */
export function isMain(importMetaUrl: string): boolean {
  return !!process.argv[1] && pathToFileURL(process.argv[1]).href === importMetaUrl;
}

/** Runs a scenario as a script: prints its table, writes BENCH_OUT when set, exits. */
export async function runAsScript(fn: () => Promise<Omit<ScenarioResult, "seconds">>): Promise<void> {
  const started = performance.now();
  try {
    const r = { ...(await fn()), seconds: (performance.now() - started) / 1000 };
    process.stdout.write(`\n${formatTable(r)}\n`);
    if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(r, null, 2));
    process.exit(0);
  } catch (err) {
    process.stderr.write(`\n${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}

/** Progress lines go to stderr so a scenario's table stays readable on stdout. */
export const progress = (msg: string) => process.stderr.write(`  … ${msg}\n`);
