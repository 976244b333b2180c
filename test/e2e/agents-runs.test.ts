// Agent runs in the browser: the agent's own run id (externalId) shows on the
// Runs page and in the task explorer, the Runs page finds a run by it (exact
// match, kept in the address), and the agent dialog starts at its first field.
// A run's dialog and the explorer's task dialog read the record whole from its
// own route (lists carry only previews).
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { goodAnswers, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";
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
  // run-001's task (the oldest) is evaluated and passed with a comment.
  const rater = q.types.Evaluators!.people[0]!;
  const e = await mustClaim(q, rater, "evaluate");
  expect((await submitAs(q, rater, e, { answers: { ...goodAnswers, notes: "Clear answer" } })).status).toBe(201);
  const v = await mustClaim(q, q.types.Reviewers!.people[0]!, "review");
  expect((await submitAs(q, q.types.Reviewers!.people[0]!, v, { verdict: "pass", comment: "Agreed with the rater" })).status).toBe(201);
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
    // The run whole, read from GET /api/runs/:runId.
    await page.getByRole("dialog").getByText("Question 1", { exact: true }).waitFor();
    await page.getByRole("dialog").getByText("Answer 1", { exact: true }).waitFor();
  });

  it("opens a task from the explorer: its payload, the answers per criterion, the verdict and comment, the history", async () => {
    const page = await open(`/projects/${q.project.id}/tasks`);
    const row = runRows(page).filter({ has: page.getByRole("link", { name: "run-001", exact: true }) });
    // The row shows the start of the payload, not the payload.
    await row.getByText(/Question 0/).waitFor();
    await row.getByRole("button", { name: "1 evaluation, 1 review" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Question 0", { exact: true }).waitFor();
    const evaluations = dialog.getByRole("region", { name: "Evaluations" });
    for (const [label, value] of [["Accuracy", "4"], ["Helpful?", "Yes"], ["Notes", "Clear answer"]]) {
      const entry = evaluations.locator(".answers > div").filter({ has: page.getByText(label!, { exact: true }) });
      expect(await entry.locator("dd").textContent()).toBe(value);
    }
    await evaluations.getByText("Passed").waitFor();
    await evaluations.getByText("Agreed with the rater").waitFor();
    const history = dialog.getByRole("region", { name: "History" });
    expect(await history.getByRole("listitem").count()).toBeGreaterThanOrEqual(4);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
  });

  it("filters the explorer by contributor type and agent, kept in the address", async () => {
    const page = await open(`/projects/${q.project.id}/tasks`);
    await page.getByRole("link", { name: "run-002", exact: true }).waitFor();
    await expect.poll(() => runRows(page).count()).toBe(4);
    await page.getByLabel("Contributor type").selectOption({ label: "Evaluators" });
    await page.waitForURL(/contributorTypeId=/);
    // The three runs not yet evaluated wait at the Evaluators' node; run-001's task is done.
    await expect.poll(() => runRows(page).count()).toBe(3);
    await page.getByLabel("Contributor type").selectOption({ label: "Reviewers" });
    await page.getByText("No tasks match these filters.").waitFor();
    await page.getByLabel("Contributor type").selectOption({ label: "Any" });
    await page.getByLabel("Agent").selectOption({ label: "Support bot" });
    await page.waitForURL(/agentId=/);
    await expect.poll(() => runRows(page).count()).toBe(4);
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

  it("configures an agent with the org's model, prompt version and MCP servers picked from lists, and lists their names", async () => {
    const admin = client(t.url, q.admin.token);
    const org = `/api/orgs/${q.org.id}`;
    const made = await Promise.all([
      admin.post(`${org}/models`, { name: "Claude", provider: "anthropic", modelId: "claude-x", apiKey: "sk-e2e-secret-1234" }),
      admin.post(`${org}/prompts`, { name: "Support prompt", text: "Be kind." }),
      admin.post(`${org}/mcp-servers`, { name: "Orders", url: "https://orders.test", transport: "http", tools: [{ name: "lookup" }] }),
    ]);
    for (const r of made) expect(r.status, r.text).toBe(201);
    const page = await open(`/projects/${q.project.id}/agents`);
    await page.getByRole("button", { name: "Add agent" }).click();
    const dialog = page.getByRole("dialog", { name: "Add agent" });
    await dialog.getByLabel("Name").fill("Picker bot");
    await dialog.getByLabel("Model").selectOption({ label: "Claude (anthropic · claude-x)" });
    await dialog.getByLabel("Prompt", { exact: true }).selectOption({ label: "Support prompt (v1)" });
    await dialog.getByLabel("Prompt version").selectOption({ label: "v1" });
    await dialog.getByRole("checkbox", { name: /Orders/ }).check();
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    const row = page.getByRole("row").filter({ hasText: "Picker bot" });
    await row.getByText("Claude").waitFor();
    expect(await row.textContent()).toMatch(/Support prompt v1.*Orders/s);
    expect(await page.content()).not.toContain("1234");
    // Opened again, the form shows what it uses.
    await row.getByRole("button", { name: "Edit" }).click();
    const again = page.getByRole("dialog", { name: "Picker bot" });
    await expect.poll(() => again.getByLabel("Model").inputValue()).toBe(made[0].body.id);
    expect(await again.getByRole("checkbox", { name: /Orders/ }).isChecked()).toBe(true);
    await page.keyboard.press("Escape");
  });

  it("starts a dialog without a form (a run's payload) at its close button", async () => {
    const page = await open(`/projects/${q.project.id}/runs`);
    await runRows(page).filter({ hasText: "run-001" }).getByRole("button").click();
    await page.getByRole("dialog").waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Close");
  });
});
