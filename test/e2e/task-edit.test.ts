// An Owner manages a task from its page in a real browser: a new priority and
// assignee picked from the project's contributors, then cancelled (confirmed)
// and reopened, each step in the history; a Viewer sees no controls.
import { beforeAll, describe, expect, it } from "vitest";
import { addProjectMember, type TestUser } from "../helpers/factories";
import { importTasks, queueProject, type QueueProject } from "../helpers/queue";
import { e2eApp } from "./suite";

const t = e2eApp();
let q: QueueProject;
let taskId: string;
let viewer: TestUser;

beforeAll(async () => {
  q = await queueProject(t.deps, t.url);
  viewer = await addProjectMember(t.deps, q.project, "viewer", null, "Vera Viewer");
  [taskId] = (await importTasks(q, [{ payload: { input: "hello", output: "world" } }])) as [string];
});

async function open(who: TestUser) {
  const tab = await t.open(`/projects/${q.project.id}/tasks/${taskId}`, { token: who.token });
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

  it("the Tasks page filters by Cancelled and shows cancelled tasks with their badge", async () => {
    const [other] = (await importTasks(q, [{ payload: { input: "to cancel" } }])) as [string];
    const res = await fetch(`${t.url}/api/tasks/${other}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${q.owner.token}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "cancelled" }),
    });
    expect(res.status).toBe(200);
    const tab = await t.open(`/projects/${q.project.id}/tasks`, { token: q.owner.token });
    const table = tab.page.getByRole("table", { name: "Tasks" });
    await table.getByText("cancelled", { exact: true }).waitFor();
    expect(await table.locator("tbody tr").count()).toBe(2);
    await tab.page.getByLabel("Status").selectOption({ label: "Cancelled" });
    await tab.page.waitForURL(/status=cancelled/);
    await tab.page.waitForFunction(() => document.querySelectorAll('table[aria-label="Tasks"] tbody tr').length === 1);
    const badge = table.locator("tbody tr").first().locator(".badge.danger");
    expect(await badge.textContent()).toBe("cancelled");
  });

  it("a Viewer sees the task without the controls", async () => {
    const { page } = await open(viewer);
    await page.locator(".timeline").waitFor();
    await page.getByTestId("read-only").waitFor();
    expect(await page.getByRole("region", { name: "Manage task" }).count()).toBe(0);
  });
});
