// An Owner manages a task from its page in a real browser: a new priority and
// assignee picked from the project's contributors, then cancelled (confirmed)
// and reopened, each step in the history; a Viewer sees no controls.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { addProjectMember, type TestUser } from "../helpers/factories";
import { importTasks, queueProject, type QueueProject } from "../helpers/queue";
import { launchBrowser, openTab, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let q: QueueProject;
let taskId: string;
let viewer: TestUser;
const tabs: Tab[] = [];

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  q = await queueProject(t.deps, t.url);
  viewer = await addProjectMember(t.deps, q.project, "viewer", null, "Vera Viewer");
  [taskId] = (await importTasks(q, [{ payload: { input: "hello", output: "world" } }])) as [string];
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  for (const tab of tabs) expect(tab.errors).toEqual([]);
  await browser?.close();
  await t?.close();
});

async function open(who: TestUser) {
  const tab = await openTab(browser, t.url, `/projects/${q.project.id}/tasks/${taskId}`, { token: who.token });
  tabs.push(tab);
  return tab;
}

describe("managing a task", () => {
  it("an Owner changes its priority and assignee, cancels it and reopens it", async () => {
    const { page } = await open(q.owner);
    const manage = page.getByRole("region", { name: "Manage task" });
    const bob = q.types.Evaluators!.people[1]!;
    await manage.getByRole("option", { name: new RegExp(bob.name) }).waitFor({ state: "attached" });
    await manage.getByLabel("Priority").fill("5");
    await manage.getByLabel("Assigned to").selectOption({ label: `${bob.name} (Evaluators)` });
    await manage.getByRole("button", { name: "Save" }).click();
    const history = page.locator(".timeline");
    await history.getByText(`Priority 0 → 5, assigned to ${bob.name} by ${q.owner.name}`).waitFor();

    page.once("dialog", (d) => void d.accept());
    await manage.getByRole("button", { name: "Cancel task" }).click();
    await history.getByText(`Cancelled by ${q.owner.name}`).waitFor();
    page.once("dialog", (d) => void d.accept());
    await manage.getByRole("button", { name: "Reopen task" }).click();
    await history.getByText(`Reopened by ${q.owner.name}`).waitFor();
    const row = await t.deps.db.task.findUniqueOrThrow({ where: { id: taskId } });
    expect(row).toMatchObject({ status: "queued", priority: 5, assignedUserId: bob.id });
  });

  it("a Viewer sees the task without the controls", async () => {
    const { page } = await open(viewer);
    await page.locator(".timeline").waitFor();
    await page.getByTestId("read-only").waitFor();
    expect(await page.getByRole("region", { name: "Manage task" }).count()).toBe(0);
  });
});
