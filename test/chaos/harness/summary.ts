// Each scenario records what it did and what it found in
// test-results/chaos/<scenario>.json; the chaos global teardown merges them into
// test-results/chaos-summary.json, which docs/reliability.md quotes.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export const RESULTS_DIR = path.resolve(import.meta.dirname, "../../../test-results");
export const SCENARIO_DIR = path.join(RESULTS_DIR, "chaos");

export type Profile = "short" | "full";
/** `npm test` runs the short profile; `npm run test:chaos` the full one (CHAOS_PROFILE=full). */
export const PROFILE: Profile = process.env.CHAOS_PROFILE === "full" ? "full" : "short";
/** Pick the figure for this run's profile. */
export const byProfile = <T>(short: T, full: T): T => (PROFILE === "short" ? short : full);

export interface ScenarioRecord {
  scenario: string;
  /** One sentence: what this run showed. */
  proved: string;
  faults: Record<string, number>;
  requests: { tried: number; acknowledged: number; refused: Record<string, number> };
  /** Acknowledged writes not found in PostgreSQL afterwards (must be 0). */
  lost: number;
  invariants: { checked: number; violations: string[] };
  /** Observations worth a line in docs/reliability.md (behaviour, not failures). */
  notes: string[];
  figures: Record<string, number | string>;
  seconds: number;
  passed: boolean;
}

export class Recorder {
  private started = performance.now();
  readonly rec: ScenarioRecord;

  constructor(scenario: string, proved: string) {
    this.rec = {
      scenario, proved, faults: {}, requests: { tried: 0, acknowledged: 0, refused: {} }, lost: 0,
      invariants: { checked: 0, violations: [] }, notes: [], figures: {}, seconds: 0, passed: false,
    };
  }

  fault(kind: string, n = 1): void {
    this.rec.faults[kind] = (this.rec.faults[kind] ?? 0) + n;
  }

  note(line: string): void {
    if (!this.rec.notes.includes(line)) this.rec.notes.push(line);
  }

  figure(name: string, value: number | string): void {
    this.rec.figures[name] = value;
  }

  /** Adds a ledger's counts (several ledgers may feed one scenario). */
  requests(r: { tried: number; acknowledged: number; refused: Record<string, number> }): void {
    this.rec.requests.tried += r.tried;
    this.rec.requests.acknowledged += r.acknowledged;
    for (const [k, n] of Object.entries(r.refused)) this.rec.requests.refused[k] = (this.rec.requests.refused[k] ?? 0) + n;
  }

  invariants(violations: string[]): void {
    this.rec.invariants.checked++;
    this.rec.invariants.violations.push(...violations);
  }

  /** Writes the record; `passed` is what the test asserted. */
  write(passed: boolean): void {
    this.rec.seconds = Math.round((performance.now() - this.started) / 100) / 10;
    this.rec.passed = passed;
    mkdirSync(SCENARIO_DIR, { recursive: true });
    writeFileSync(path.join(SCENARIO_DIR, `${this.rec.scenario}.json`), JSON.stringify(this.rec, null, 2));
  }
}

export function clearScenarioRecords(): void {
  rmSync(SCENARIO_DIR, { recursive: true, force: true });
}

/** Merges every scenario record of this run into test-results/chaos-summary.json. */
export function writeSummary(extra: Record<string, unknown>): void {
  let files: string[] = [];
  try {
    files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith(".json")).sort();
  } catch {
    return;
  }
  const scenarios = files.map((f) => JSON.parse(readFileSync(path.join(SCENARIO_DIR, f), "utf8")) as ScenarioRecord);
  if (!scenarios.length) return;
  const sum = (f: (s: ScenarioRecord) => number) => scenarios.reduce((a, s) => a + f(s), 0);
  const totals = {
    faultsInjected: sum((s) => Object.values(s.faults).reduce((a, b) => a + b, 0)),
    requestsTried: sum((s) => s.requests.tried),
    acknowledged: sum((s) => s.requests.acknowledged),
    lost: sum((s) => s.lost),
    invariantChecks: sum((s) => s.invariants.checked),
    violations: sum((s) => s.invariants.violations.length),
    allPassed: scenarios.every((s) => s.passed),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    path.join(RESULTS_DIR, "chaos-summary.json"),
    JSON.stringify({ finishedAt: new Date().toISOString(), profile: PROFILE, ...extra, totals, scenarios }, null, 2),
  );
}
