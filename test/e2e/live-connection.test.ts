// The live connection when the server refuses the socket's handshake, in the
// real browser: too many sockets for one person (here the limit is 1) shows a
// notice by the live status (on a phone, at the top of the screen, the menu closed)
// and the tab keeps retrying until a place frees up;
// a token the server no longer takes (expired by the server's clock) signs the
// tab out with a notice instead of leaving it "reconnecting" for ever.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { startTestApp, type TestApp } from "../helpers/app";
import { queueProject, type QueueProject } from "../helpers/queue";
import { buildWeb, launchBrowser, openTab, screenshot, shotsOnFailure, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let q: QueueProject;
const clock = new ManualClock();
const tabs: Tab[] = [];
const NOTICE = "Too many open tabs or clients: close some to get live updates.";

beforeAll(async () => {
  // No expiry sweep while the test runs: the expired token must meet the handshake, not the sweep.
  t = await startTestApp({ webDist: buildWeb(), workers: true, clock, realtime: { socketsPerUser: 1, expirySweepMs: 600_000 } });
  browser = await launchBrowser();
  q = await queueProject(t.deps, t.url);
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  // The signed-out tab's last /api/me answered 401, which the browser logs as a failed load.
  for (const x of tabs) expect(x.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  await browser?.close();
  await t?.close();
});

async function open(token: string, path = "/work"): Promise<Tab> {
  const tab = await openTab(browser, t.url, path, { token });
  tabs.push(tab);
  return tab;
}

describe("a refused live connection", () => {
  it("too many sockets: the second tab says so, keeps trying, and goes live once the first tab closes", async () => {
    const who = q.types.Evaluators!.people[0]!;
    const first = await open(who.token);
    await first.page.getByText("Live updates on").waitFor({ state: "attached" });
    const second = await open(who.token);
    await second.page.getByRole("status").filter({ hasText: NOTICE }).waitFor();
    expect(await second.page.getByText("Live updates on").count()).toBe(0);
    expect(await first.page.getByText(NOTICE).count()).toBe(0);

    await first.context.close();
    await second.page.getByText("Live updates on").waitFor({ state: "attached" });
    expect(await second.page.getByText(NOTICE).count()).toBe(0);
  });

  it("on a 390 px phone the notice shows at the top without opening the menu, and leaves the page's actions free", async () => {
    const who = q.types.Evaluators!.people[2]!;
    const first = await open(who.token);
    await first.page.getByText("Live updates on").waitFor({ state: "attached" });
    const phone = await openTab(browser, t.url, "/work", { token: who.token, viewport: { width: 390, height: 844 } });
    tabs.push(phone);
    await phone.page.getByText(NOTICE).first().waitFor({ state: "attached" });
    // Seen (and announced) with the menu closed: inside the screen, not under the closed menu.
    const notice = phone.page.getByRole("status").filter({ hasText: NOTICE });
    expect(await notice.count()).toBe(1);
    const box = (await notice.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(844);
    expect(await phone.page.getByRole("button", { name: "Open menu" }).getAttribute("aria-expanded")).toBe("false");
    await screenshot(phone.page, "phone-live-notice");
    // The page's main action is not under it: a tap in its middle reaches the button.
    const claim = phone.page.getByRole("button", { name: "Claim next" }).first();
    await claim.scrollIntoViewIfNeeded();
    const b = (await claim.boundingBox())!;
    const hit = await phone.page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest("button")?.textContent ?? null, [b.x + b.width / 2, b.y + b.height / 2]);
    expect(hit).toContain("Claim next");

    await first.context.close();
    await phone.page.getByText("Live updates on").first().waitFor({ state: "attached" });
    expect(await phone.page.getByRole("status").filter({ hasText: NOTICE }).count()).toBe(0);
  });

  it("a token the server no longer takes: the tab is signed out with a notice", async () => {
    const who = q.types.Evaluators!.people[1]!;
    // The inbox: a page that reads nothing more from the API while it waits (the queue page re-reads it, and its 401 would sign out).
    const tab = await open(who.token, "/inbox");
    await tab.page.getByText("Live updates on").waitFor({ state: "attached" });
    // The server's clock passes the token's expiry (13 h; tokens live 12 h) while the
    // browser's does not; then the connection drops and socket.io reconnects.
    clock.advance(13 * 3600_000);
    for (const s of t.app.realtime.io.of("/").sockets.values()) if (s.data.actor.userId === who.id) s.conn.close();
    await tab.page.waitForURL(/\/login/);
    await tab.page.getByText("Your session ended. Sign in again to continue.").waitFor();
  });
});
