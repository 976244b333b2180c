// The admin forms when the server says no, and the admin lists on a phone: a
// refusal is shown next to the field (or the task) it is about and goes away on
// the next try; the Types and People tables scroll inside their frame at 390 px;
// the audit log's "Load more" continues the list it was showing; an Owner's node
// editor offers the org's criteria library.
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { importTasks, queueProject, type QueueProject } from "../helpers/queue";
import { eventually, launchBrowser, openTab, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let q: QueueProject;
const tabs: Tab[] = [];
const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  q = await queueProject(t.deps, t.url);
  await importTasks(q, [{ payload: { input: "Where is my parcel?", output: "It ships tomorrow." } }]);
  // More audit entries than one page of the log (50).
  const admin = client(t.url, q.admin.token);
  for (let i = 0; i < 55; i++) expect((await admin.post(`/api/orgs/${q.org.id}/prompts`, { name: `Prompt ${i}`, text: "Rate the answer." })).status).toBe(201);
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  // The refusals these tests provoke are logged by the browser as failed loads.
  for (const x of tabs) expect(x.errors.filter((e) => !/status of (400|409)/.test(e))).toEqual([]);
  await browser?.close();
  await t?.close();
});

async function open(path: string, viewport = { width: 1366, height: 900 }): Promise<Page> {
  const tab = await openTab(browser, t.url, path, { token: q.admin.token, viewport });
  tabs.push(tab);
  return tab.page;
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe("admin forms and lists", () => {
  it("fits the Types and People pages, the invitation form and the node editor on a 390 px phone", async () => {
    const types = await open(`/projects/${q.project.id}/types`, PHONE);
    await types.getByRole("row", { name: /Evaluators/ }).waitFor();
    expect(await overflow(types)).toBeLessThanOrEqual(0);
    const people = await open(`/orgs/${q.org.id}/people`, PHONE);
    await people.getByRole("row", { name: /Evaluators-0/ }).waitFor();
    expect(await overflow(people)).toBeLessThanOrEqual(0);
    // Inviting: the project chosen is readable, not squeezed beside its role and type.
    await people.getByRole("button", { name: "Invite a person" }).click();
    await people.getByRole("button", { name: "+ Project" }).click();
    const project = people.getByLabel("Project", { exact: true });
    await project.selectOption({ label: q.project.name });
    expect((await project.boundingBox())!.width).toBeGreaterThan(200);

    // The node editor: a node's name stays readable beside its number and kind.
    const editor = await open(`/projects/${q.project.id}/pipelines/new`, PHONE);
    const nodeName = editor.getByLabel("Node 1 name");
    await nodeName.waitFor();
    expect((await nodeName.boundingBox())!.width).toBeGreaterThan(140);
    expect(await overflow(editor)).toBeLessThanOrEqual(0);
  });

  it("offers a project's Owner the org's criteria library in the node editor", async () => {
    const made = await client(t.url, q.admin.token).post(`/api/orgs/${q.org.id}/evaluation-criteria`, {
      key: "faithful",
      label: "Faithful to the sources?",
      kind: "boolean",
      required: true,
    });
    expect(made.status).toBe(201);
    const tab = await openTab(browser, t.url, `/projects/${q.project.id}/pipelines/new`, { token: q.owner.token });
    tabs.push(tab);
    const library = tab.page.getByLabel("From the org's criteria").first();
    await library.selectOption({ label: "Faithful to the sources?" });
    await eventually(() => tab.page.getByLabel("Question", { exact: true }).last().inputValue()).toBe("Faithful to the sources?");
  });

  it("puts a refused contributor type's message next to its field and drops it on the next try", async () => {
    const page = await open(`/projects/${q.project.id}/types`);
    await page.getByRole("button", { name: "Add type" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("Evaluators");
    await dialog.getByRole("button", { name: "Save" }).click();
    // 409 name_taken: said under the name, which is marked.
    const name = dialog.getByLabel("Name");
    await eventually(() => name.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await name.getAttribute("aria-describedby"))!;
    expect(await page.locator(`#${describedBy}`).textContent()).toContain("already exists");

    // The server's limit, said in plain words under the field before asking.
    await name.fill("Senior evaluators");
    await dialog.getByLabel("Claims per person").fill("20000");
    await dialog.getByRole("button", { name: "Save" }).click();
    const limit = dialog.getByLabel("Claims per person");
    await eventually(() => limit.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator(`#${await limit.getAttribute("aria-describedby")}`).textContent()).toBe("A whole number from 1 to 10,000.");
    // Nothing from the earlier refusal is left on screen.
    expect(await dialog.getByRole("alert").count()).toBe(0);
    expect(await name.getAttribute("aria-invalid")).toBeNull();

    await limit.fill("2");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByRole("row", { name: /Senior evaluators/ }).waitFor();
  });

  it("says at the node which contributor type the server refused in a new pipeline", async () => {
    const spare = await client(t.url, q.admin.token).post(`/api/projects/${q.project.id}/contributor-types`, { name: "Spare", claimLimit: 1 });
    expect(spare.status).toBe(201);
    const page = await open(`/projects/${q.project.id}/pipelines/new`);
    await page.getByLabel("Name", { exact: true }).fill("Spare lane");
    await page.getByLabel("Contributor type").first().selectOption({ label: "Spare" });
    // Meanwhile, in another tab, the type is deleted.
    expect((await client(t.url, q.admin.token).delete(`/api/projects/${q.project.id}/contributor-types/${spare.body.id}`)).status).toBe(204);
    await page.getByRole("button", { name: "Create pipeline" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("contributor type this project does not have");
    const select = page.getByLabel("Contributor type").first();
    expect(await select.getAttribute("aria-invalid")).toBe("true");
    await page.getByText("No such contributor type in this project").waitFor();
  });

  it("names the tasks an import refused", async () => {
    const page = await open(`/projects/${q.project.id}/import`);
    const tasks = [{ payload: { input: "fine" } }, { payload: { input: "assigned" }, assignTo: { userId: "00000000-0000-4000-8000-000000000000" } }];
    await page.getByLabel("Or paste here").fill(JSON.stringify(tasks));
    await page.getByText("2 tasks ready").waitFor();
    await page.getByRole("button", { name: "Import", exact: true }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("Task 2: Not a contributor of this project");
  });

  it("shows an export under way and starts it once however often it is clicked", async () => {
    const page = await open(`/projects/${q.project.id}/tasks`);
    await page.getByRole("table", { name: "Tasks" }).locator("tbody tr").first().waitFor();
    // The export is held until the button has been looked at (a large one takes a while).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let requests = 0;
    await page.route("**/api/projects/*/export*", async (route) => {
      requests++;
      await held;
      await route.continue();
    });
    const exportCsv = page.getByRole("button", { name: /Export CSV|Exporting/ });
    const downloaded = page.waitForEvent("download");
    await exportCsv.click();
    await eventually(() => exportCsv.textContent()).toBe("Exporting…");
    expect(await exportCsv.isDisabled()).toBe(true);
    await exportCsv.click({ force: true });
    release();
    await downloaded;
    await eventually(() => exportCsv.textContent()).toBe("Export CSV");
    expect(requests).toBe(1);
    await page.unroute("**/api/projects/*/export*");
  });

  it("continues the audit log it shows, and says when a filter matches nothing", async () => {
    const page = await open(`/orgs/${q.org.id}/audit`);
    const rows = page.getByRole("table").locator("tbody tr");
    await eventually(() => rows.count()).toBe(50);
    // Typed but not applied: "Load more" still continues the unfiltered list.
    await page.getByLabel("Action").fill("agent.create");
    await page.getByRole("button", { name: "Load more" }).click();
    await eventually(() => rows.count()).toBeGreaterThan(55);

    await page.getByLabel("Action").fill("prompt.crea");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByText('No entries for "prompt.crea"').waitFor();
    await page.getByLabel("Action").fill("prompt.create");
    await page.getByRole("button", { name: "Filter" }).click();
    await eventually(() => rows.count()).toBe(50);
  });
});
