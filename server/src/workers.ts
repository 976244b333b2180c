// Background work that runs beside the HTTP server (the expiry sweeper, the
// realtime flushers, …) and the demo content each area adds. Each area adds its
// start function here; tests start the same workers explicitly.
import type { App } from "./app";
import { demoSeedSettled, seedDemoIfEmpty, type DemoContext, type DemoExtension, type DemoHistory } from "./cli/demo";
import type { Deps } from "./deps";
import { startActorInvalidation } from "./access/actor-cache";
import { startRealtimeBridge } from "./realtime/bridge";
import { startDashboardFolder } from "./modules/dashboard/fold";
import { startShiftNotices } from "./modules/notifications/shifts";
import { startNotificationTriggers } from "./modules/notifications/triggers";
import { demoPipeline } from "./modules/pipelines/demo";
import { playDemoHistory } from "./modules/pipelines/demo-history";
import { demoSafetyPipeline } from "./modules/pipelines/demo-safety";
import { demoSettings } from "./modules/settings/demo";
import { startQueueWorkers } from "./queue/start";

export interface Workers {
  stop(): Promise<void>;
}

export async function startWorkers(_deps: Deps, _app: App): Promise<Workers> {
  const stops: Array<() => Promise<void>> = [];
  stops.push(startActorInvalidation(_deps));
  stops.push(startRealtimeBridge(_deps, _app.realtime));
  const notifications = startNotificationTriggers(_deps);
  stops.push(() => notifications.stop());
  // Off with the sweeper (SWEEP_INTERVAL_MS=0: tests run their passes by hand).
  if (_deps.config.SWEEP_INTERVAL_MS > 0) stops.push(startShiftNotices(_deps));
  stops.push(startQueueWorkers(_deps));
  stops.push(startDashboardFolder(_deps, _deps.config.SWEEP_INTERVAL_MS));
  return {
    stop: async () => {
      for (const s of stops.reverse()) await s().catch(() => {});
    },
  };
}

export function demoExtensions(_deps: Deps): DemoExtension[] {
  return [demoPipeline, demoSafetyPipeline, demoSettings];
}

/**
 * The demo's past, played once its content committed. A failure leaves the demo
 * without (part of) its past, not the server without a start.
 */
export function demoHistory(deps: Deps): DemoHistory {
  return (ctx) => playDemoHistory(deps, ctx).catch((err: unknown) => deps.log.warn({ err }, "the demo's past could not be played; it starts without it"));
}

/**
 * Before the workers start, on every instance: with `demo` on, seeds an empty
 * database (its past included); either way returns only once no seed is under
 * way on another instance, whose past a sweeper started meanwhile would expire
 * (cli/demo.ts DEMO_SEED_LOCK). Null when this instance seeded nothing.
 */
export async function seedDemoBeforeWorkers(deps: Deps, demo: boolean): Promise<DemoContext | null> {
  if (!demo) {
    await demoSeedSettled(deps.db);
    return null;
  }
  return seedDemoIfEmpty(deps.db, demoExtensions(deps), { now: deps.clock.now(), history: demoHistory(deps) });
}
