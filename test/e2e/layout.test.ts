// Layout in the real browser: on a phone the Tasks filters, the Team page and
// the dashboard with a chart's numbers open fit the screen (no sideways
// scrolling), and the cards of the work-queue grid sit on one line (the global
// .panel + .panel margin must not push them down).
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { evaluateForm, importTasks, queueProject, type QueueProject } from "../helpers/queue";
import { launchBrowser, openTab, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let q: QueueProject;
const tabs: Tab[] = [];

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  // Nodes open to any contributor, so one person sees two cards in the grid.
  q = await queueProject(t.deps, t.url, {
    nodes: [
      { key: "evaluate", kind: "task", name: "Evaluate", form: evaluateForm },
      { key: "review", kind: "review", name: "Review", reviews: "evaluate" },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  // A second pipeline with long names: the "Waiting at" options read "node · pipeline".
  const long = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/pipelines`, {
    name: "Customer support answers, second opinion round",
    nodes: [
      { key: "rate", kind: "task", name: "Rate how well the support agent answered the customer", form: evaluateForm },
      { key: "end", kind: "end", name: "Done" },
    ],
  });
  expect(long.status).toBe(201);
  await importTasks(q, [{ payload: { input: "hello", output: "world" } }]);
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  for (const tab of tabs) expect(tab.errors).toEqual([]);
  await browser?.close();
  await t?.close();
});

async function open(token: string, path: string, viewport: { width: number; height: number }) {
  const tab = await openTab(browser, t.url, path, { token, viewport });
  tabs.push(tab);
  return tab.page;
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe("layout", () => {
  it("fits the Tasks filters on a 390 px phone", async () => {
    const page = await open(q.owner.token, `/projects/${q.project.id}/tasks`, { width: 390, height: 844 });
    await page.getByRole("table", { name: "Tasks" }).locator("tbody tr").first().waitFor();
    await page.getByLabel("Waiting at").locator("option", { hasText: "Rate how well" }).waitFor({ state: "attached" });
    const box = (await page.getByLabel("Waiting at").boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it("fits the Team page on a 414 px phone (its table scrolls inside its frame)", async () => {
    const page = await open(q.owner.token, `/projects/${q.project.id}/team`, { width: 414, height: 896 });
    await page.getByRole("combobox", { name: "Role of Evaluators-0" }).waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it("keeps the project dashboard on a 390 px phone with a chart's numbers shown", async () => {
    const page = await open(q.owner.token, `/projects/${q.project.id}`, { width: 390, height: 844 });
    await page.getByRole("heading", { name: "Engagement", exact: true }).waitFor();
    await page.getByText("Show the numbers").first().click();
    await page.getByRole("table", { name: "Activity over time" }).waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it("lines the work-queue cards up on one row", async () => {
    const who = q.types.Evaluators!.people[0]!;
    const page = await open(who.token, "/work", { width: 1366, height: 900 });
    const cards = page.locator("article[data-node]");
    await cards.nth(1).waitFor();
    const [a, b] = [(await cards.nth(0).boundingBox())!, (await cards.nth(1).boundingBox())!];
    expect(b.x).toBeGreaterThan(a.x);
    expect(b.y).toBe(a.y);
  });
});
