// A live connection that drops, in the real browser: the network goes (the browser
// offline), or the server cuts every socket and refuses new ones for a while (as when
// it is gone). The tab says it is offline and keeps retrying; when the connection is
// back it says so, the word goes, and the page reads its data again (a task imported
// meanwhile shows). On a phone the word shows at the top with the menu closed.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { importTasks, queueProject, type QueueProject } from "../helpers/queue";
import { eventually, launchBrowser, numberIn, openTab, screenshot, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let q: QueueProject;
const tabs: Tab[] = [];
const OFFLINE = "Offline — reconnecting… Changes will appear when the connection is back.";
const BACK = "Back online.";

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  q = await queueProject(t.deps, t.url);
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  // What the tab tried while the connection was cut failed, and the browser logs each: the
  // reconnection attempts, and a queue read planned before the drop if it fell while offline.
  const cut = /WebSocket connection to .* failed|net::ERR_INTERNET_DISCONNECTED/;
  for (const x of tabs) expect(x.errors.filter((e) => !cut.test(e))).toEqual([]);
  await browser?.close();
  await t?.close();
});

const notice = (tab: Tab, text: string) => tab.page.getByRole("status").filter({ hasText: text });
const live = (tab: Tab) => tab.page.getByText("Live updates on").waitFor({ state: "attached" });
const available = (tab: Tab) => numberIn(tab.page, `article[data-node="${q.node("evaluate")}"] [data-testid="available"]`);

describe("a live connection that drops", () => {
  it("the network goes: the tab says it is offline, then back online, and reads the queue again", async () => {
    const tab = await openTab(browser, t.url, "/work", { token: q.types.Evaluators!.people[0]!.token });
    tabs.push(tab);
    await live(tab);
    // Nothing said on the page's first connect.
    expect(await notice(tab, OFFLINE).count()).toBe(0);
    const before = await available(tab);

    await tab.context.setOffline(true);
    await notice(tab, OFFLINE).waitFor();
    await screenshot(tab.page, "offline-notice");
    // Changes made meanwhile are not pushed to it...
    await importTasks(q, [{ payload: { input: "while offline" } }]);

    await tab.context.setOffline(false);
    await notice(tab, BACK).waitFor();
    expect(await notice(tab, OFFLINE).count()).toBe(0);
    // ...and show once it is back; the word goes after a moment.
    await eventually(() => available(tab)).toBe(before + 1);
    await notice(tab, BACK).waitFor({ state: "detached" });
  });

  it("the server goes (sockets cut, new ones refused): on a phone, said at the top with the menu closed, until it is back", async () => {
    const tab = await openTab(browser, t.url, "/work", { token: q.types.Evaluators!.people[1]!.token, viewport: { width: 390, height: 844 } });
    tabs.push(tab);
    await live(tab);
    const engine = t.app.realtime.io.engine as unknown as { opts: { allowRequest?: (req: unknown, cb: (err: string | null, ok: boolean) => void) => void } };
    const allow = engine.opts.allowRequest;
    engine.opts.allowRequest = (_req, cb) => cb("gone", false);
    try {
      for (const s of t.app.realtime.io.of("/").sockets.values()) s.conn.close();
      const offline = notice(tab, OFFLINE);
      await offline.waitFor();
      expect(await offline.count()).toBe(1);
      const box = (await offline.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      expect(await tab.page.getByRole("button", { name: "Open menu" }).getAttribute("aria-expanded")).toBe("false");
      await screenshot(tab.page, "phone-offline-notice");
    } finally {
      engine.opts.allowRequest = allow;
    }
    await notice(tab, BACK).waitFor();
    await live(tab);
    await notice(tab, BACK).waitFor({ state: "detached" });
  });
});
