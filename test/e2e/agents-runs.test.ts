// Agent runs in the browser: the agent's own run id (externalId) shows on the
// Runs page and in the task explorer, the Runs page finds a run by it (exact
// match, kept in the address), and the agent dialog starts at its first field.
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { queueProject, type QueueProject } from "../helpers/queue";
import { launchBrowser, openTab, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let q: QueueProject;
let agentId: string;
const tabs: Tab[] = [];
const LONG_ID = `trace-${"x".repeat(150)}`;

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  q = await queueProject(t.deps, t.url);
  const admin = client(t.url, q.admin.token);
  const agent = await admin.post(`/api/projects/${q.project.id}/agents`, { name: "Support bot" });
  expect(agent.status).toBe(201);
  agentId = agent.body.id;
  const send = (externalId: string | undefined, n: number) =>
    admin.post(`/api/agents/${agentId}/runs`, { input: `Question ${n}`, output: `Answer ${n}`, pipelineId: q.pipeline.id, ...(externalId ? { externalId } : {}) });
  for (const [n, ext] of ["run-001", "run-002", undefined, LONG_ID].entries()) expect((await send(ext, n)).status).toBe(201);
  // A retry of run-001 makes nothing new.
  expect((await send("run-001", 0)).status).toBe(200);
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  for (const x of tabs) expect(x.errors).toEqual([]);
  await browser?.close();
  await t?.close();
});

async function open(path: string, viewport?: { width: number; height: number }): Promise<Page> {
  const tab = await openTab(browser, t.url, path, { token: q.admin.token, viewport });
  tabs.push(tab);
  return tab.page;
}

const runRows = (page: Page) => page.getByRole("table").getByRole("row").filter({ has: page.getByRole("cell") });

describe("agent runs", () => {
  it("shows each run's external id on the Runs page, and in the run's dialog", async () => {
    const page = await open(`/projects/${q.project.id}/runs`);
    await page.getByRole("columnheader", { name: "External id" }).waitFor();
    await page.getByRole("cell", { name: "run-001", exact: true }).waitFor();
    expect(await runRows(page).count()).toBe(4);
    expect(await page.getByRole("cell", { name: "run-002", exact: true }).count()).toBe(1);
    expect(await page.getByRole("cell", { name: LONG_ID, exact: true }).count()).toBe(1);
    await runRows(page).filter({ hasText: "run-002" }).getByRole("button").click();
    await page.getByRole("dialog").getByText("run-002", { exact: true }).waitFor();
  });

  it("finds a run by its exact external id, keeps the search in the address, and says when none matches", async () => {
    const page = await open(`/projects/${q.project.id}/runs`);
    await page.getByRole("cell", { name: "run-001", exact: true }).waitFor();
    const box = page.getByRole("searchbox", { name: "External id" });
    await box.fill("run-002");
    await box.press("Enter");
    await page.waitForURL(/externalId=run-002/);
    await expect.poll(() => runRows(page).count()).toBe(1);
    expect(await runRows(page).first().textContent()).toContain("run-002");

    // Exact: a prefix finds nothing.
    await box.fill("run-00");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("No run has the external id “run-00”.").waitFor();

    // Opened from its address, the search is applied; emptied, every run shows again.
    const again = await open(`/projects/${q.project.id}/runs?externalId=run-001`);
    await again.getByRole("cell", { name: "run-001", exact: true }).waitFor();
    expect(await runRows(again).count()).toBe(1);
    expect(await again.getByRole("searchbox", { name: "External id" }).inputValue()).toBe("run-001");
    await again.getByRole("searchbox", { name: "External id" }).fill("");
    await again.getByRole("searchbox", { name: "External id" }).press("Enter");
    await expect.poll(() => runRows(again).count()).toBe(4);
    expect(again.url()).not.toContain("externalId");
  });

  it("shows a run's external id in the task explorer, linking to the run", async () => {
    const page = await open(`/projects/${q.project.id}/tasks`);
    const link = page.getByRole("link", { name: "run-002", exact: true });
    await link.waitFor();
    await link.click();
    await page.waitForURL(/\/runs\?/);
    await expect.poll(() => runRows(page).count()).toBe(1);
    expect(await runRows(page).first().textContent()).toContain("run-002");
  });

  it("names a task's run on the task's page, by its external id, linking to it", async () => {
    const run = (await client(t.url, q.admin.token).get(`/api/projects/${q.project.id}/runs?externalId=run-002`)).body.items[0];
    const page = await open(`/projects/${q.project.id}/tasks/${run.taskId}`);
    const link = page.getByRole("link", { name: "run-002", exact: true });
    await link.waitFor();
    await link.click();
    await page.waitForURL(/\/runs\?.*externalId=run-002/);
    await expect.poll(() => runRows(page).count()).toBe(1);
  });

  it("fits the Runs page, search box and a long external id on a 390 px phone", async () => {
    const page = await open(`/projects/${q.project.id}/runs`, { width: 390, height: 844 });
    await page.getByRole("cell", { name: LONG_ID, exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  });

  it("tells how to send runs with an external id", async () => {
    const page = await open(`/projects/${q.project.id}/agents`);
    await page.getByText(/Send the agent's own id for the run as\s+externalId/).waitFor();
  });

  it("starts the agent dialog at its Name field; Escape closes it and focus returns to the button", async () => {
    const page = await open(`/projects/${q.project.id}/agents`);
    const add = page.getByRole("button", { name: "Add agent" });
    await add.click();
    const dialog = page.getByRole("dialog", { name: "Add agent" });
    await dialog.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("a-name");
    await page.keyboard.type("Typed at once");
    expect(await dialog.getByLabel("Name").inputValue()).toBe("Typed at once");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Add agent");
  });

  it("starts a dialog without a form (a run's payload) at its close button", async () => {
    const page = await open(`/projects/${q.project.id}/runs`);
    await runRows(page).filter({ hasText: "run-001" }).getByRole("button").click();
    await page.getByRole("dialog").waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Close");
  });
});
