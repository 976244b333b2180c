// P4's second half: how stale an open dashboard's live counters are while claims
// flow at a fixed rate (the 1,000 claims/s). A project with its own
// contributors joins the benchmark org; the real engine (claimTask, then
// submitClaim, in this process, the way the HTTP routes call it) runs claim →
// submit cycles on a fixed schedule, so a slow answer cannot slow the arrivals
// and hide itself. A socket watches the org's dashboard (timeframe "all", whose
// submission count only grows: a 24h window would drop an hour of history when
// the clock crosses an hour). Staleness, as in P3: for the k-th submission of the
// window, the moment the socket shows a count ≥ baseline + k, minus the moment k
// submissions had committed.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { io } from "socket.io-client";
import { loadActor } from "../../server/src/access/actor";
import type { Actor } from "../../server/src/access/actor";
import type { Deps } from "../../server/src/deps";
import { claimTask, submitClaim } from "../../server/src/queue/engine";
import type { Seeded } from "../../scripts/seed-dashboard";
import { seedProject } from "../lib/seed";
import { sleep, staleness } from "../lib/stats";

export interface UnderLoad {
  offered: number;
  /** Cycles committed per second over the window. */
  achieved: number;
  seconds: number;
  errors: number;
  firstError: string | null;
  staleness: ReturnType<typeof staleness>;
  pushes: number;
  loopLagP99: number;
}

/** In flight at once; arrivals past it wait (and count as late, in the achieved rate). */
const MAX_IN_FLIGHT = 256;

export async function underLoad(base: string, token: string, deps: Deps, databaseUrl: string, s: Seeded, rate: number, seconds: number): Promise<UnderLoad> {
  const total = Math.round(rate * seconds);
  const p = await seedProject(databaseUrl, { orgId: s.orgId, contributors: 1000, tasks: total + 1000, claimLimit: 5, jwtSecret: deps.jwtSecret });
  const actors = await Promise.all(p.contributors.map(async (c) => (await loadActor(deps.db, c.id)) as Actor));
  // One cycle per actor first: the project's queue state is built and the caches hold the actors.
  for (const a of actors.slice(0, 50)) await cycle(deps, a, p);

  const socket = io(base, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token } });
  const times: number[] = [];
  const counts: number[] = [];
  let latest = -1;
  socket.on("dashboard:counters", (e: { scope: string; timeframe: string; counters: { submissions: number | null } }) => {
    if (e.scope !== "org" || e.timeframe !== "all") return;
    latest = e.counters.submissions ?? 0;
    times.push(performance.now());
    counts.push(latest);
  });
  try {
    const ack = await socket.timeout(10_000).emitWithAck("subscribe", { room: `org:${s.orgId}:dashboard`, timeframe: "all" });
    if (!ack?.ok) throw new Error(`subscribe: ${JSON.stringify(ack)}`);
    await sleep(1500); // the warm-up's pushes have arrived
    const baseline = latest;
    times.length = 0;
    counts.length = 0;

    const commits: number[] = [];
    let errors = 0;
    let firstError: string | null = null;
    let inFlight = 0;
    let wake: (() => void) | null = null;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const at = started + (i * 1000) / rate;
      const wait = at - performance.now();
      if (wait > 1) await sleep(wait);
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
      inFlight++;
      void cycle(deps, actors[i % actors.length]!, p)
        .then(() => commits.push(performance.now()))
        .catch((err: Error) => {
          errors++;
          firstError ??= err.message;
        })
        .finally(() => {
          inFlight--;
          wake?.();
          wake = null;
        });
    }
    while (inFlight > 0) await new Promise<void>((r) => (wake = r));
    const elapsed = (performance.now() - started) / 1000;
    lag.disable();
    await sleep(2000); // the last flushes (every 500 ms) reach the socket
    return {
      offered: rate,
      achieved: commits.length / elapsed,
      seconds: elapsed,
      errors,
      firstError,
      staleness: staleness(commits, [{ times, counts, baseline }]),
      pushes: times.length,
      loopLagP99: lag.percentile(99) / 1e6,
    };
  } finally {
    socket.disconnect();
  }
}

async function cycle(deps: Deps, actor: Actor, p: Awaited<ReturnType<typeof seedProject>>): Promise<void> {
  const c = await claimTask(deps, actor, p.projectId, { nodeId: p.nodeId });
  await submitClaim(deps, actor, c.claim.id, { token: c.claim.token, answers: p.answers });
}
