// Notifications in the real browser against the real server: the unread count
// kept right across two tabs of one person (read in one, the other follows) and
// across the start of a tab (a notification arriving while the inbox loads, or
// before the socket joined); desktop notifications only while the tab is hidden,
// for every type (a lease about to end too), asked for only from a click; a
// toast or a desktop notification opens its own notification and the right
// page; a review digest that grows stays one row, counted and shown once; and
// on a phone the unread count shows without opening the menu.
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { notify, type NewNotification } from "../../server/src/modules/notifications/service";
import { texts } from "../../server/src/modules/notifications/texts";
import type { TestApp } from "../helpers/app";
import type { TestUser } from "../helpers/factories";
import { importTasks, mustClaim, queueProject, type QueueProject } from "../helpers/queue";
import { eventually, launchBrowser, openTab, screenshot, shotsOnFailure, startE2eApp, type OpenOptions, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let q: QueueProject;
let people: TestUser[] = [];
const tabs: Tab[] = [];

// Records desktop notifications (the real API) and permission requests, and lets
// the test put the tab "in the background".
const spy = `
  window.__notes = [];
  window.__asked = 0;
  window.__hidden = false;
  Object.defineProperty(document, "visibilityState", { get: () => (window.__hidden ? "hidden" : "visible") });
  const Real = window.Notification;
  const Spy = class extends Real {
    constructor(title, opts) { super(title, opts); window.__notes.push(this); }
  };
  Spy.requestPermission = (...args) => { window.__asked++; return Real.requestPermission(...args); };
  window.Notification = Spy;
`;
type Spied = { __notes: Array<{ title: string; onclick: (() => void) | null }>; __asked: number; __hidden: boolean };
const desktopTitles = (page: Page) => page.evaluate(() => (window as unknown as Spied).__notes.map((n) => n.title));
const asked = (page: Page) => page.evaluate(() => (window as unknown as Spied).__asked);
const setHidden = (page: Page, hidden: boolean) => page.evaluate((h) => ((window as unknown as Spied).__hidden = h), hidden);

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  // Nodes open to any contributor: each person sees both cards.
  q = await queueProject(t.deps, t.url, {
    lanes: [{ name: "People", claimLimit: 3, people: 9 }],
    nodes: [
      { key: "evaluate", kind: "task", name: "Evaluate", form: { criteria: [{ key: "why", label: "Why", kind: "text" }] } },
      { key: "review", kind: "review", name: "Review", reviews: "evaluate" },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  people = q.types.People!.people;
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  for (const tab of tabs) expect(tab.errors).toEqual([]);
  await browser?.close();
  await t?.close();
});

async function open(who: TestUser, path: string, more: OpenOptions = {}): Promise<Tab> {
  const tab = await openTab(browser, t.url, path, { token: who.token, ...more });
  tabs.push(tab);
  return tab;
}

const note = (who: TestUser, title: string, nodeKey = "review"): NewNotification => ({
  userId: who.id,
  orgId: q.org.id,
  type: "review_ready",
  title,
  body: `${title}: a task waits.`,
  link: `/projects/${q.project.id}/queue?node=${q.node(nodeKey)}`,
});
const live = (tab: Tab) => tab.page.getByText("Live updates on").first().waitFor({ state: "attached" });
const readAt = async (title: string) => (await t.deps.db.notification.findFirstOrThrow({ where: { title } })).readAt;

describe("notifications in the browser", () => {
  it("keeps two tabs of one person in step: a notification read in one is read in the other, and so is 'mark all read'", async () => {
    const who = people[0]!;
    await notify(t.deps, [note(who, "Two tabs 1"), note(who, "Two tabs 2"), note(who, "Two tabs 3")]);
    const a = await open(who, "/inbox");
    const b = await open(who, "/inbox");
    for (const x of [a, b]) {
      await x.page.getByText("3 unread").waitFor();
      await live(x);
    }
    await a.page.getByRole("listitem").filter({ hasText: "Two tabs 2" }).getByRole("button", { name: "Mark read", exact: true }).click();
    await b.page.getByText("2 unread").waitFor();
    expect(await b.page.title()).toMatch(/^\(2\) Notifications/);
    expect(await b.page.getByRole("listitem").filter({ hasText: "Two tabs 2" }).getByRole("button", { name: "Mark read", exact: true }).count()).toBe(0);

    await a.page.getByRole("button", { name: "Mark all read" }).click();
    await b.page.getByText("All read", { exact: true }).waitFor();
    await eventually(() => b.page.title()).toBe("Notifications · Pipelines");
    expect(await b.page.getByRole("button", { name: "Mark read", exact: true }).count()).toBe(0);
    await b.page.reload();
    await b.page.getByText("All read", { exact: true }).waitFor();
  });

  it("counts a notification that arrives while the inbox is still loading", async () => {
    const who = people[1]!;
    const tab = await open(who, "/inbox");
    await tab.page.getByText("No notifications yet", { exact: false }).waitFor();
    // The next inbox read answers what the server had before the notification below.
    let held = false;
    await tab.page.route("**/api/me/notifications?*", async (route) => {
      if (held) return route.continue();
      held = true;
      const before = await route.fetch();
      await live(tab); // the socket has joined: the notification is pushed to this tab
      await notify(t.deps, [note(who, "While loading")]);
      await tab.page.getByTestId("toast").filter({ hasText: "While loading" }).waitFor();
      await route.fulfill({ response: before });
    });
    await tab.page.reload();
    await tab.page.getByRole("listitem").filter({ hasText: "While loading" }).waitFor();
    await tab.page.getByText("1 unread").waitFor();
    expect(held).toBe(true);
    expect(await tab.page.title()).toMatch(/^\(1\) /);
  });

  it("counts a notification stored after the inbox was read but before the live connection joined", async () => {
    const who = people[2]!;
    const tab = await open(who, "/inbox");
    await tab.page.getByText("No notifications yet", { exact: false }).waitFor();
    // The next live connection waits until the notification is stored.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    await tab.page.routeWebSocket(/\/socket\.io\//, async (ws) => {
      await released;
      ws.connectToServer();
    });
    await tab.page.reload();
    await tab.page.getByText("No notifications yet", { exact: false }).waitFor();
    await notify(t.deps, [note(who, "Before the socket")]);
    release();
    await tab.page.getByRole("listitem").filter({ hasText: "Before the socket" }).waitFor();
    await tab.page.getByText("1 unread").waitFor();
  });

  it("shows a desktop notification only while the tab is hidden, for a lease about to end too, and asks permission only from a click", async () => {
    const who = people[3]!;
    const [taskId] = await importTasks(q, [{ payload: { input: "a lease" } }]);
    const claim = await mustClaim(q, who, "evaluate", taskId);
    const tab = await open(who, "/work", { permissions: ["notifications"], initScript: spy });
    await live(tab);
    await notify(t.deps, [note(who, "Seen in the tab")]);
    await tab.page.getByTestId("toast").filter({ hasText: "Seen in the tab" }).waitFor();
    expect(await desktopTitles(tab.page)).toEqual([]);

    await setHidden(tab.page, true);
    const base = { userId: who.id, orgId: q.org.id, projectId: q.project.id, nodeId: q.node("evaluate"), taskId: taskId!, claimId: claim.id };
    await notify(t.deps, [texts.claimExpiring({ ...base, nodeName: "Evaluate", leftMs: 60_000 })]);
    await eventually(() => desktopTitles(tab.page)).toEqual(["Your claim expires in 1 minute"]);
    // Clicking it opens the claim it is about, and marks it read.
    await tab.page.evaluate(() => (window as unknown as Spied).__notes[0]!.onclick!());
    await tab.page.waitForURL(new RegExp(`/work/claims/${claim.id}`));
    await tab.page.getByLabel("Why").waitFor();
    await eventually(() => readAt("Your claim expires in 1 minute")).not.toBeNull();

    // Without permission yet: nothing is asked on load, only from the button.
    const other = await open(people[4]!, "/work", { initScript: spy });
    await other.page.getByRole("region", { name: "Desktop notifications" }).waitFor();
    await other.page.goto(`${t.url}/inbox`);
    await other.page.getByRole("button", { name: "Turn on desktop notifications" }).waitFor();
    expect(await asked(other.page)).toBe(0);
    await other.page.getByRole("button", { name: "Turn on desktop notifications" }).click();
    await eventually(() => asked(other.page)).toBe(1);
  });

  it("opens the notification of the toast clicked, not another with the same link", async () => {
    const who = people[5]!;
    const tab = await open(who, "/work");
    await live(tab);
    // Two notifications with the same link: the older one's toast is the one clicked.
    await notify(t.deps, [note(who, "Older review")]);
    await tab.page.getByTestId("toast").filter({ hasText: "Older review" }).waitFor();
    await notify(t.deps, [note(who, "Newer review")]);
    await tab.page.getByTestId("toast").filter({ hasText: "Newer review" }).waitFor();
    await tab.page.getByTestId("toast").filter({ hasText: "Older review" }).getByRole("button", { name: "Open" }).click();
    await tab.page.waitForURL(new RegExp(`/projects/${q.project.id}/queue\\?node=${q.node("review")}`));
    await eventually(() => readAt("Older review")).not.toBeNull();
    expect(await readAt("Newer review")).toBeNull();
  });

  it("points at the node of a link followed from the queue page it leads to", async () => {
    const who = people[7]!;
    const tab = await open(who, `/projects/${q.project.id}/queue?node=${q.node("review")}`);
    const card = (key: string) => tab.page.locator(`article[data-node="${q.node(key)}"]`);
    await eventually(() => card("review").getAttribute("class")).toContain("highlight");
    await live(tab);
    // Another node of the same project: same page, another node to point at.
    await notify(t.deps, [note(who, "Back to evaluate", "evaluate")]);
    await tab.page.getByTestId("toast").filter({ hasText: "Back to evaluate" }).getByRole("button", { name: "Open" }).click();
    await tab.page.waitForURL(new RegExp(`node=${q.node("evaluate")}`));
    await eventually(() => card("evaluate").getAttribute("class")).toContain("highlight");
    expect(await card("review").getAttribute("class")).not.toContain("highlight");
  });

  it("grows one review notification as tasks reach its node: one row, counted once, one desktop notification; after a read, a new one", async () => {
    const who = people[8]!;
    const tab = await open(who, "/inbox", { permissions: ["notifications"], initScript: spy });
    await live(tab);
    await setHidden(tab.page, true);
    const ready = (taskId: string) =>
      texts.reviewReady({ userId: who.id, orgId: q.org.id, projectId: q.project.id, nodeId: q.node("review"), taskId, nodeName: "Review", projectName: "Evals" });
    for (const taskId of ["t1", "t2", "t3"]) await notify(t.deps, [ready(taskId)]);
    const rows = tab.page.locator(".inbox li");
    await rows.filter({ hasText: "3 tasks in Evals reached review at Review." }).waitFor();
    expect(await rows.count()).toBe(1);
    await tab.page.getByText("1 unread").waitFor();
    expect(await tab.page.title()).toMatch(/^\(1\) /);
    expect(await desktopTitles(tab.page)).toEqual(["Ready for review: Review"]);

    // Read: the next task starts a new notification, told at once.
    await rows.getByRole("button", { name: "Mark read", exact: true }).click();
    await tab.page.getByText("All read", { exact: true }).waitFor();
    // The page shows it read at once; the next task must come after the server read it too (a task
    // joining before that keeps the digest unread, grown: the read covers only what was shown).
    await eventually(() => t.deps.db.notification.count({ where: { userId: who.id, readAt: null } })).toBe(0);
    await notify(t.deps, [ready("t4")]);
    await rows.filter({ hasText: "A task in Evals is waiting for review at Review." }).waitFor();
    await tab.page.getByText("1 unread").waitFor();
    expect(await rows.count()).toBe(2);
    await eventually(() => desktopTitles(tab.page)).toEqual(["Ready for review: Review", "Ready for review: Review"]);
  });

  it("shows the unread count on a phone without opening the menu, and it leads to the inbox", async () => {
    const who = people[6]!;
    const tab = await open(who, "/work", { viewport: { width: 390, height: 844 } });
    await live(tab);
    await notify(t.deps, [note(who, "On the phone")]);
    const badge = tab.page.getByRole("banner").getByRole("link", { name: "Notifications, 1 unread" });
    await badge.waitFor();
    const box = (await badge.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.y).toBeGreaterThanOrEqual(0);
    await screenshot(tab.page, "phone-unread");
    await badge.click();
    await tab.page.getByRole("heading", { name: "Notifications" }).waitFor();
    await tab.page.getByRole("button", { name: "Mark all read" }).click();
    await tab.page.getByRole("banner").getByRole("link", { name: "Notifications", exact: true }).waitFor();
  });
});
