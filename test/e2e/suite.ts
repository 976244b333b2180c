// One e2e file's setup: the app and a browser started before its tests, a picture
// of every open tab when a test fails, and after the last test every tab's console
// errors checked (none but what the file or the tab allows) before the browser and
// the app close.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Deps } from "../../server/src/deps";
import type { TestApp } from "../helpers/app";
import { launchBrowser, openTab, shotsOnFailure, startE2eApp, type OpenOptions, type Tab } from "./browser";

export interface E2eApp {
  readonly url: string;
  readonly deps: Deps;
  readonly browser: Browser;
  /** Every tab opened through `open` (or pushed here), checked at the end. */
  readonly tabs: Tab[];
  /** A tab at `pathname` (signed in with `opts.token`), kept for the checks. */
  open(pathname: string, opts?: OpenOptions): Promise<Tab>;
}

/** `allowErrors`: console errors any tab of the file may show (a refusal the test provokes). */
export function e2eApp(opts: { allowErrors?: RegExp } = {}): E2eApp {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    app = await startE2eApp();
    browser = await launchBrowser();
  });
  afterEach((ctx) => shotsOnFailure(ctx, tabs));
  afterAll(async () => {
    try {
      for (const tab of tabs) expect(tab.errors.filter((e) => !opts.allowErrors?.test(e) && !tab.allow?.test(e))).toEqual([]);
    } finally {
      await browser?.close();
      await app?.close();
    }
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("e2eApp: used before the file's beforeAll");
    return v;
  };
  return {
    get url() {
      return started(app).url;
    },
    get deps() {
      return started(app).deps;
    },
    get browser() {
      return started(browser);
    },
    tabs,
    async open(pathname, o) {
      const tab = await openTab(started(browser), started(app).url, pathname, o);
      tabs.push(tab);
      return tab;
    },
  };
}
