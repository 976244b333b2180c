// A race test file's setup: the app and a connection of the test's own that
// watches who waits on a lock the test holds (locks.ts), both started before the
// file's tests and closed after them.
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import type { Deps } from "../../server/src/deps";
import { startTestApp, type TestApp, type TestAppOptions } from "./app";
import { until } from "./locks";

export interface RaceApp {
  readonly url: string;
  readonly deps: Deps;
  /** Until `n` backends wait on the holder `pid`, or `request` (when given) has answered. */
  until(pid: number, n: number, request?: Promise<unknown>): Promise<void>;
}

/** By default a rate limit past any burst a race sends. */
export function raceApp(opts: TestAppOptions = { config: { RATE_LIMIT_PER_MIN: 100_000 } }): RaceApp {
  let app: TestApp | undefined;
  let watcher: pg.Client | undefined;
  beforeAll(async () => {
    app = await startTestApp(opts);
    watcher = new pg.Client({ connectionString: inject("databaseUrl") });
    await watcher.connect();
  });
  afterAll(async () => {
    await watcher?.end();
    await app?.close();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("raceApp: used before the file's beforeAll");
    return v;
  };
  return {
    get url() {
      return started(app).url;
    },
    get deps() {
      return started(app).deps;
    },
    until: (pid, n, request) => until(started(watcher), pid, n, request),
  };
}
