// The dashboards in a real browser: the six widgets render from the API, and
// the live counters move without a reload when work happens elsewhere.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { goodAnswers, importTasks, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";
import { eventually, launchBrowser, numberIn, openTab, screenshot, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let q: QueueProject;
const tabs: Tab[] = [];

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  q = await queueProject(t.deps, t.url);
  await importTasks(q, Array.from({ length: 6 }, (_, i) => ({ payload: { input: `Question ${i}`, output: `Answer ${i}` } })));
  // Some history for the widgets: three evaluations, two reviews (one pass, one return).
  const [e1, e2, e3] = q.types.Evaluators!.people;
  const reviewer = q.types.Reviewers!.people[0]!;
  for (const who of [e1!, e2!, e3!]) {
    const c = await mustClaim(q, who, "evaluate");
    expect((await submitAs(q, who, c, { answers: goodAnswers })).status).toBe(201);
  }
  for (const verdict of ["pass", "return"]) {
    const c = await mustClaim(q, reviewer, "review");
    expect((await submitAs(q, reviewer, c, { verdict, ...(verdict === "return" ? { comment: "Check the dates" } : {}) })).status).toBe(201);
  }
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  for (const tab of tabs) expect(tab.errors).toEqual([]);
  await browser?.close();
  await t?.close();
});

const counter = (tab: Tab, name: string) => numberIn(tab.page, `[data-testid=counter-${name}]`);

describe("dashboards", () => {
  let org: Tab;

  it("shows an Org Admin the six widgets for the organization", async () => {
    org = await openTab(browser, t.url, `/orgs/${q.org.id}/dashboard`, { token: q.admin.token });
    tabs.push(org);
    for (const title of ["Projects", "Activity", "Pipeline completion", "Engagement", "First review pass rate", "Avg reviews per review node"])
      await org.page.getByRole("heading", { name: title, exact: true }).waitFor();
    await eventually(() => counter(org, "submissions")).toBe(3);
    expect(await org.page.getByTestId("projects-count").textContent()).toBe("1");
    expect(await org.page.getByRole("progressbar", { name: /reached the end node/ }).getAttribute("aria-valuenow")).toBe("17"); // 1 of 6
    await org.page.getByRole("button", { name: "Show each project" }).click();
    await org.page.getByRole("link", { name: q.project.name }).waitFor();
  });

  it("moves the live counters when tasks arrive and work is submitted, without a reload", async () => {
    const queued = await counter(org, "queued");
    await importTasks(q, [{ payload: { input: "late arrival" } }, { payload: { input: "another" } }]);
    await eventually(() => counter(org, "queued")).toBe(queued + 2);

    const active = await counter(org, "active");
    const c = await mustClaim(q, q.types.Evaluators!.people[0]!, "evaluate");
    await eventually(() => counter(org, "active")).toBe(active + 1);
    await submitAs(q, q.types.Evaluators!.people[0]!, c, { answers: goodAnswers });
    await eventually(() => counter(org, "submissions")).toBe(4);
    await org.page.getByText("Live", { exact: true }).waitFor();
  });

  it("switches the timeframe and keeps counting", async () => {
    await org.page.getByRole("button", { name: "30 days" }).click();
    expect(await org.page.getByRole("button", { name: "30 days" }).getAttribute("aria-pressed")).toBe("true");
    await eventually(() => counter(org, "submissions")).toBe(4);
    await org.page.getByRole("button", { name: "7 days" }).click();
    await eventually(() => counter(org, "submissions")).toBe(4);
    await screenshot(org.page, "dashboard", undefined, true);
  });

  it("gives the project's Owner its dashboard, live", async () => {
    const own = await openTab(browser, t.url, `/projects/${q.project.id}`, { token: q.owner.token });
    tabs.push(own);
    await own.page.getByRole("heading", { name: "Activity", exact: true }).waitFor();
    expect(await own.page.getByRole("heading", { name: "Projects", exact: true }).count()).toBe(0);
    await eventually(() => counter(own, "submissions")).toBe(4);
    const queued = await counter(own, "queued");
    await importTasks(q, [{ payload: { input: "one more" } }]);
    await eventually(() => counter(own, "queued")).toBe(queued + 1);
  });
});
