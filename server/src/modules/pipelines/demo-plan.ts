// The demo's past, as a plan: for each demo run, when it arrived and what happened
// to it since (evaluated, reviewed, returned with a comment and reworked, completed;
// a claim released, one left to expire). Pure and deterministic: every time is
// counted back from the seed's "now", so the newest runs are still waiting and the
// 24h, 7d and 30d dashboards all have something to show. demo-history.ts plays it.

export type Who = "alice" | "admin" | "rita" | "bob";

export type Step =
  | { kind: "evaluate"; at: number; by: Who; answers: Record<string, unknown> }
  | { kind: "review"; at: number; by: Who; verdict: "pass" | "return"; comment: string | null }
  /** A claim released at `at`, a few minutes after it was taken. */
  | { kind: "release"; at: number; by: Who }
  /** A claim taken at about `at` and left until its lease ran out (the sweeper expires it). */
  | { kind: "expire"; at: number; by: Who };

export interface TaskPlan {
  createdAt: Date;
  steps: Step[];
}

/**
 * What becomes of a run: `new` waits untouched; `released` / `expired` wait after a
 * claim that ended without a submission; `evaluated` waits for its review; `returned`
 * waits for its author's rework; `reworked` waits for a second review; `done` passed
 * its first review, `fixed` its second (both completed).
 */
export type Fate = "new" | "released" | "expired" | "evaluated" | "returned" | "reworked" | "done" | "fixed";

/** One run's fate and how many hours ago its last step happened (newest run first). */
export type FateAt = [fate: Fate, lastHoursAgo: number, author?: Who];

/** Answers for a first evaluation (`careful` false: the one a reviewer returns) and for its rework. */
export interface Answers {
  first(careful: boolean, rnd: () => number): Record<string, unknown>;
  rework(rnd: () => number): Record<string, unknown>;
  returnComments: readonly string[];
  passComments: readonly string[];
}

const HOUR = 3_600_000;

/** A small deterministic generator (mulberry32): the same demo on every seed. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Plans `count` runs, oldest first (index 0 is the oldest). `recent` gives the
 * newest runs' fates explicitly; older runs are completed, spread back in time
 * `spacingHours` apart, every third one only after a return.
 */
export function planRuns(
  now: Date,
  count: number,
  recent: FateAt[],
  opts: { reviewer: Who; answers: Answers; seed: number; spacingHours: number },
): TaskPlan[] {
  const rnd = random(opts.seed);
  const fates: FateAt[] = [];
  for (let r = 0; r < count; r++) {
    if (r < recent.length) fates.push(recent[r]!);
    else {
      const k = r - recent.length;
      const last = (recent.at(-1)?.[1] ?? 0) + 12 + k * opts.spacingHours + rnd() * 8;
      fates.push([k % 3 === 1 ? "fixed" : "done", last]);
    }
  }
  // Newest first above; the runs are inserted oldest first.
  return fates.reverse().map(([fate, lastHoursAgo, author]) => planOne(now.getTime(), fate, lastHoursAgo, author, opts, rnd));
}

function planOne(now: number, fate: Fate, lastHoursAgo: number, author: Who | undefined, opts: { reviewer: Who; answers: Answers }, rnd: () => number): TaskPlan {
  const by = author ?? (rnd() < 0.6 ? "alice" : "admin");
  const pick = (list: readonly string[]) => list[Math.floor(rnd() * list.length)]!;
  // The steps' kinds in order; their times are counted back from the last one.
  const kinds: Array<(at: number) => Step> = [];
  const evaluate = (careful: boolean) => (at: number): Step => ({ kind: "evaluate", at, by, answers: opts.answers.first(careful, rnd) });
  const review = (verdict: "pass" | "return") => (at: number): Step => ({
    kind: "review", at, by: opts.reviewer, verdict,
    comment: verdict === "return" ? pick(opts.answers.returnComments) : rnd() < 0.4 ? pick(opts.answers.passComments) : null,
  });
  const rework = (at: number): Step => ({ kind: "evaluate", at, by, answers: opts.answers.rework(rnd) });
  const returned = fate === "returned" || fate === "reworked" || fate === "fixed";
  if (fate === "released") kinds.push((at) => ({ kind: "release", at, by }));
  if (fate === "expired") kinds.push((at) => ({ kind: "expire", at, by }));
  if (fate !== "new" && fate !== "released" && fate !== "expired") kinds.push(evaluate(!returned));
  if (returned) kinds.push(review("return"));
  if (fate === "reworked" || fate === "fixed") kinds.push(rework);
  if (fate === "done" || fate === "fixed") kinds.push(review("pass"));

  const times: number[] = [];
  let at = now - lastHoursAgo * HOUR;
  for (let i = kinds.length - 1; i >= 0; i--) {
    times.unshift(at);
    at -= (2 + rnd() * 8) * HOUR; // the wait before this step
  }
  const createdAt = kinds.length ? at - rnd() * 6 * HOUR : now - lastHoursAgo * HOUR;
  return { createdAt: new Date(Math.round(createdAt)), steps: kinds.map((make, i) => make(Math.round(times[i]!))) };
}
