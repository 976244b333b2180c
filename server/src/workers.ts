// Background work that runs beside the HTTP server (the expiry sweeper, the
// realtime flushers, …) and the demo content each area adds. Each area adds its
// start function here; tests start the same workers explicitly.
import type { App } from "./app";
import type { DemoExtension } from "./cli/demo";
import type { Deps } from "./deps";
import { startActorInvalidation } from "./access/actor-cache";
import { startRealtimeBridge } from "./realtime/bridge";
import { startDashboardFolder } from "./modules/dashboard/fold";
import { startNotificationTriggers } from "./modules/notifications/triggers";
import { demoPipeline } from "./modules/pipelines/demo";
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
  stops.push(startQueueWorkers(_deps));
  stops.push(startDashboardFolder(_deps, _deps.config.SWEEP_INTERVAL_MS));
  return {
    stop: async () => {
      for (const s of stops.reverse()) await s().catch(() => {});
    },
  };
}

export function demoExtensions(_deps: Deps): DemoExtension[] {
  return [demoPipeline, demoSettings];
}
