// Small statistics for the benchmark: percentiles over recorded samples, the
// median of rounds, and number formatting for the tables.

/** The p-th percentile (0..100) of unsorted samples, nearest-rank. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const wallMs = () => performance.timeOrigin + performance.now();

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "–";
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `n` copies of `loop` at once and waits for all of them. */
export async function concurrently(n: number, loop: (worker: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => loop(i)));
}

/** A watcher's series of shown counts: the moments (`times`) it showed each count. */
export interface Shown {
  times: number[];
  counts: number[];
  baseline: number;
}

/**
 * Staleness of live counts (P3, P4): the k-th change of the window is visible on a
 * watcher once it shows a count ≥ baseline + k; `commits[k]` is when k changes had
 * committed. Delays below zero (shown before the commit) count as 0 and as `early`;
 * a change never shown by the end counts as missed.
 */
export function staleness(commits: number[], watchers: Iterable<Shown>) {
  const all: number[] = [];
  let missed = 0;
  let early = 0;
  for (const w of watchers) {
    let j = 0;
    for (let k = 0; k < commits.length; k++) {
      const need = w.baseline + k + 1;
      while (j < w.counts.length && w.counts[j]! < need) j++;
      if (j === w.counts.length) {
        missed += commits.length - k;
        break;
      }
      const d = w.times[j]! - commits[k]!;
      if (d < -1) early++;
      all.push(Math.max(0, d));
    }
  }
  return { p50: percentile(all, 50), p99: percentile(all, 99), max: percentile(all, 100), samples: all.length, missed, early };
}
