// The main screens with realistic data, at laptop and tablet widths: the
// pictures in the README (docs/screenshots/, written when missing or with
// UPDATE_SCREENSHOTS=1) and the layout checks that go with them (nothing wider
// than the screen, the sidebar folding into a menu on a tablet).
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { addProjectMember, createContributorType, createOrg, createProject, type TestUser } from "../helpers/factories";
import { client } from "../helpers/http";
import { evaluateForm, goodAnswers } from "../helpers/queue";
import { eventually, launchBrowser, openTab, screenshot, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let orgId: string;
let projectId: string;
let ada: TestUser;
let alice: TestUser;
const tabs: Tab[] = [];
const LAPTOP = { width: 1366, height: 820 };
const TABLET = { width: 820, height: 1180 };

const questions = [
  ["My parcel says delivered but it is not here. What can I do?", "Sorry about that! Check with neighbours and your building's reception first. If it has not turned up within 24 hours, reply here and I will open a trace with the carrier and arrange a replacement."],
  ["Can I change the size of an order I placed an hour ago?", "Yes: orders can be changed for two hours after purchase. Open Orders, choose the item and pick Change size."],
  ["Do you ship to Norway?", "We ship to Norway in 3–5 working days. Import VAT is charged at checkout, so there is nothing more to pay on delivery."],
  ["How do I return a gift without the receipt?", "Use the gift return form with the order number from the packing slip; the refund goes to a gift card."],
];

async function api(token: string, method: "post", path: string, body: unknown) {
  const r = await client(t.url, token)[method](path, body);
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${r.text}`);
  return r.body;
}

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  const o = await createOrg(t.deps, "Acme AI");
  orgId = o.org.id;
  ada = o.admin;
  await t.deps.db.user.update({ where: { id: ada.id }, data: { name: "Ada Admin" } });
  const project = await createProject(t.deps, orgId, "Support agent evals");
  projectId = project.id;
  await createProject(t.deps, orgId, "Search ranking");
  const experts = await createContributorType(t.deps, projectId, { name: "Domain Expert", claimLimit: 3 });
  const qa = await createContributorType(t.deps, projectId, { name: "QA Reviewer", claimLimit: 3 });
  alice = await addProjectMember(t.deps, project, "contributor", experts.id, "Alice Evaluator");
  const bob = await addProjectMember(t.deps, project, "contributor", experts.id, "Bob Evaluator");
  const rita = await addProjectMember(t.deps, project, "contributor", qa.id, "Rita Reviewer");
  const quality = await api(ada.token, "post", `/api/projects/${projectId}/pipelines`, {
    name: "Answer quality",
    nodes: [
      { key: "evaluate", kind: "task", name: "Rate the answer", contributorTypeId: experts.id, form: evaluateForm },
      { key: "review", kind: "review", name: "QA review", contributorTypeId: qa.id, reviews: "evaluate" },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  const safety = await api(ada.token, "post", `/api/projects/${projectId}/pipelines`, {
    name: "Safety check",
    nodes: [
      { key: "check", kind: "task", name: "Safety check", form: { criteria: [{ key: "safe", label: "Safe to send?", kind: "boolean", required: true }] } },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  const payload = (i: number) => {
    const [q, a] = questions[i % questions.length]!;
    return { input: [{ role: "user", content: q }], output: a, agent: { name: "support-bot", version: "2.3" } };
  };
  await api(ada.token, "post", `/api/pipelines/${quality.id}/tasks`, { tasks: Array.from({ length: 14 }, (_, i) => ({ payload: payload(i), priority: i % 3 })) });
  await api(ada.token, "post", `/api/pipelines/${safety.id}/tasks`, { tasks: Array.from({ length: 5 }, (_, i) => ({ payload: payload(i + 1) })) });
  // Some finished work, so the dashboard has something to show.
  const node = (key: string) => quality.nodes.find((n: { key: string }) => n.key === key).id;
  for (const [i, who] of [alice, bob, bob, alice, bob].entries()) {
    const c = (await api(who.token, "post", `/api/projects/${projectId}/claims`, { nodeId: node("evaluate") })).claim;
    await api(who.token, "post", `/api/claims/${c.id}/submit`, { token: c.token, answers: { ...goodAnswers, accuracy: 3 + (i % 3) } });
  }
  for (const verdict of ["pass", "pass", "return", "pass"]) {
    const c = (await api(rita.token, "post", `/api/projects/${projectId}/claims`, { nodeId: node("review") })).claim;
    await api(rita.token, "post", `/api/claims/${c.id}/submit`, { token: c.token, verdict, ...(verdict === "return" ? { comment: "The refund policy changed last month." } : {}) });
  }
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  for (const x of tabs) expect(x.errors).toEqual([]);
  await browser?.close();
  await t?.close();
});

async function open(who: TestUser, path: string, viewport: { width: number; height: number }) {
  const tab = await openTab(browser, t.url, path, { token: who.token, viewport });
  tabs.push(tab);
  return tab;
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe("main screens", () => {
  it("the contributor's queue, with a claim held and its countdown", async () => {
    const { page } = await open(alice, "/work", LAPTOP);
    await page.getByRole("button", { name: "Not now" }).click();
    const rate = page.locator("article", { has: page.getByRole("heading", { name: "Rate the answer" }) });
    await rate.getByRole("button", { name: "Claim next" }).click();
    await page.waitForURL(/\/work\/claims\//);
    await page.getByRole("heading", { name: "Agent input" }).waitFor();
    await screenshot(page, "task-laptop");
    await page.getByRole("link", { name: "Work queues" }).click();
    await rate.getByRole("link", { name: "Continue" }).waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "queue", "docs/screenshots/queue.png");
  });

  it("the org dashboard", async () => {
    const { page } = await open(ada, `/orgs/${orgId}/dashboard`, { width: 1366, height: 1080 });
    await page.getByRole("heading", { name: "Engagement", exact: true }).waitFor();
    await page.locator("[data-testid=counter-queued]", { hasText: /\d/ }).waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "dashboard", "docs/screenshots/dashboard.png");
  });

  it("fits a tablet: the sidebar folds into a menu and nothing is wider than the screen", async () => {
    const { page } = await open(alice, "/work", TABLET);
    const menu = page.getByRole("button", { name: "Open menu" });
    await menu.waitFor();
    expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(false);
    await menu.click();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My claims" }).click();
    await page.getByRole("heading", { name: "My claims" }).waitFor();
    // The menu closes after choosing (it slides away).
    await eventually(() => page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(false);
    await page.getByRole("link", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Your evaluation" }).waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "task-tablet", undefined, true);

    const admin = await open(ada, `/orgs/${orgId}/dashboard`, TABLET);
    await admin.page.getByRole("heading", { name: "Engagement", exact: true }).waitFor();
    expect(await overflow(admin.page)).toBeLessThanOrEqual(0);
    await admin.page.goto(`/projects/${projectId}/tasks`);
    await admin.page.getByRole("table", { name: "Tasks" }).locator("tbody tr").first().waitFor();
    expect(await overflow(admin.page)).toBeLessThanOrEqual(0);
    await screenshot(admin.page, "tasks-tablet");
  });
});
