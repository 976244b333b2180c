// An Org Admin sets a project up entirely in the browser: project, contributor
// type with a schedule, pipeline in the node editor, JSON import, the task list
// and a task's history, the team, an invitation, an API key shown once and a
// masked credential.
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { addOrgMember, createOrg, type TestUser } from "../helpers/factories";
import { eventually, launchBrowser, openTab, screenshot, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let orgId: string;
let admin: TestUser;
let colleague: TestUser;
let tab: Tab;
let page: Page;
const tabs: Tab[] = [];

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  const o = await createOrg(t.deps, "Acme AI");
  orgId = o.org.id;
  admin = o.admin;
  colleague = await addOrgMember(t.deps, orgId, "member", "Dana Domain");
  tab = await openTab(browser, t.url, `/orgs/${orgId}/projects`, { token: admin.token });
  tabs.push(tab);
  page = tab.page;
  // Deleting and revoking ask for confirmation.
  page.on("dialog", (d) => void d.accept());
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  for (const x of tabs) expect(x.errors).toEqual([]);
  await browser?.close();
  await t?.close();
});

const section = (name: string) => page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name, exact: true });

describe("an Org Admin in the browser", () => {
  it("creates a project", async () => {
    await page.getByRole("button", { name: "New project" }).click();
    await page.getByLabel("Name").fill("Support agent evals");
    await page.getByLabel("Description").fill("Human evaluation of the support agent's answers.");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("heading", { name: "Support agent evals" }).waitFor();
    expect(page.url()).toMatch(/\/projects\/[^/]+$/);
  });

  it("adds a contributor type with a work schedule", async () => {
    await section("Contributor types").click();
    await page.getByRole("button", { name: "Add type" }).click();
    await page.getByLabel("Name").fill("Domain Expert");
    await page.getByLabel("Claims per person").fill("2");
    await page.getByLabel("Work only on a schedule").check();
    await page.getByLabel("Time zone").fill("Europe/Paris");
    await page.getByRole("group", { name: "Days of window 1" }).getByLabel("Saturday").check({ force: true });
    await page.getByRole("button", { name: "Save" }).click();
    const row = page.getByRole("row", { name: /Domain Expert/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Mon–Sat 09:00–17:00");
    expect(await row.textContent()).toContain("Europe/Paris");
  });

  it("builds a pipeline in the node editor: evaluate, review, end", async () => {
    await section("Pipelines").click();
    await page.getByRole("link", { name: "New pipeline" }).click();
    // Only the name is missing: the message says so, and goes once a name is typed.
    await page.getByRole("button", { name: "Create pipeline" }).click();
    await page.getByRole("alert").filter({ hasText: "Give the pipeline a name." }).waitFor();
    expect(await page.getByText(/nodes? needs? attention/).count()).toBe(0);
    await page.getByLabel("Name", { exact: true }).fill("Answer quality");
    await eventually(() => page.getByRole("alert").count()).toBe(0);
    expect(await page.getByText("Give the pipeline a name.").count()).toBe(0);
    await page.getByLabel("Node 1 name").fill("Rate the answer");
    await page.getByLabel("Contributor type").first().selectOption({ label: "Domain Expert" });
    await page.getByRole("button", { name: "Yes / no", exact: true }).click();
    await page.getByLabel("Question", { exact: true }).nth(1).fill("Is it safe to send?");
    await page.getByRole("button", { name: "+ Review node" }).click();
    await page.getByLabel("Node 2 name").fill("Second look");
    await screenshot(page, "node-editor");
    await page.getByRole("button", { name: "Create pipeline" }).click();
    await page.waitForURL(/\/pipelines\/[^/]+$/);
    await page.getByRole("heading", { name: "Answer quality" }).waitFor();
    // Created, it reads as text (its nodes are fixed): no field to type in.
    await page.getByRole("heading", { name: "Second look" }).waitFor();
    expect(await page.locator("dt:text-is('Reviews the work of') + dd").textContent()).toBe("Rate the answer");
    await page.getByText("Is it safe to send?").waitFor();
    expect(await page.getByRole("textbox").count()).toBe(0);
  });

  it("imports tasks from pasted JSON and finds them in the task list with their history", async () => {
    await section("Import").click();
    const tasks = [1, 2, 3].map((n) => ({ payload: { input: `Customer question ${n}`, output: `Agent answer ${n}` }, priority: n }));
    await page.getByLabel("Or paste here").fill(JSON.stringify(tasks));
    await page.getByText("3 tasks ready").waitFor();
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.locator("form p.notice").filter({ hasText: "3 tasks imported." }).waitFor();

    await section("Tasks").click();
    const rows = page.getByRole("table", { name: "Tasks" }).locator("tbody tr");
    await eventually(() => rows.count()).toBe(3);
    await page.getByLabel("Sort by").selectOption({ label: "Highest priority" });
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = await new Response(await download.createReadStream() as unknown as ReadableStream).text();
    expect(csv.split("\n").filter(Boolean)).toHaveLength(4); // a header and three tasks
    await rows.first().getByRole("link").click();
    await page.getByText("Customer question 3").waitFor();
    await page.getByRole("heading", { name: "History" }).waitFor();
    await page.locator(".timeline li").first().waitFor();
  });

  it("imports a CSV file: each row a task, the columns its payload", async () => {
    await section("Import").click();
    const csv = 'input,output,priority\n"Where is my order?","It ships tomorrow.",2\n"Can I pay by invoice?","Yes, for business accounts.",0\n';
    await page.getByLabel("File (JSON, JSON Lines or CSV)").setInputFiles({ name: "tasks.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByText("2 tasks ready").waitFor();
    expect(await page.getByRole("radio", { name: /CSV/ }).isChecked()).toBe(true);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.locator("form p.notice").filter({ hasText: "2 tasks imported." }).waitFor();
    await section("Tasks").click();
    await eventually(() => page.getByRole("table", { name: "Tasks" }).locator("tbody tr").count()).toBe(5);
  });

  it("puts a colleague on the team as a contributor of the new type", async () => {
    await section("Team").click();
    await page.getByLabel("Email of a person in the organization").fill(colleague.email);
    await page.getByLabel("Role", { exact: true }).selectOption("contributor");
    await page.getByLabel("Contributor type", { exact: true }).selectOption({ label: "Domain Expert" });
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const row = page.getByRole("row", { name: /Dana Domain/ });
    await row.waitFor();
    expect(await row.getByRole("combobox", { name: /Contributor type of/ }).inputValue()).not.toBe("");
  });

  it("invites a person and gets the link to hand on", async () => {
    await page.getByRole("link", { name: "People" }).click();
    await page.getByRole("button", { name: "Invite a person" }).click();
    await page.getByLabel("Email").fill("newcomer@acme.test");
    await page.getByRole("button", { name: "+ Project" }).click();
    await page.getByLabel("Project", { exact: true }).selectOption({ label: "Support agent evals" });
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const linkField = page.getByLabel("Invitation link");
    await linkField.waitFor();
    const url = await linkField.inputValue();
    expect(url).toMatch(/\/accept-invite\?token=/);
    const link = { inputValue: async () => url };
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("row", { name: /newcomer/ }).getByText("invited").waitFor();

    // The newcomer opens the link, chooses a password and lands on their work.
    const invited = await openTab(browser, t.url, (({ pathname, search }) => pathname + search)(new URL(await link.inputValue())), {});
    tabs.push(invited);
    expect(invited.page.url()).toContain("/accept-invite?token=");
    await invited.page.getByLabel("Your name").fill("Nina Newcomer");
    await invited.page.getByLabel("Password", { exact: true }).fill("a-long-password");
    await invited.page.getByLabel("Repeat the password").fill("a-long-password");
    await invited.page.getByRole("button", { name: "Set password and sign in" }).click();
    await invited.page.getByRole("heading", { name: "Work queues" }).waitFor();
    await invited.page.getByText("Nina Newcomer").waitFor();
  });

  it("creates an API key shown once and a credential shown masked", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByLabel("New key's name").fill("CI runner");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = page.getByLabel(/API key/);
    await key.waitFor();
    const value = await key.inputValue();
    expect(value).toMatch(/^pk_/);
    await page.getByRole("button", { name: "I stored it" }).click();
    expect(await page.locator("body").textContent()).not.toContain(value);
    await page.getByRole("row", { name: /CI runner/ }).waitFor();

    await page.getByRole("link", { name: "Credentials" }).click();
    await page.getByRole("button", { name: "Add credential" }).click();
    await page.getByLabel("Value").fill("hf_supersecretvalue1234");
    await page.getByRole("button", { name: "Save" }).click();
    const row = page.getByRole("row", { name: /HuggingFace/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("****1234");
    expect(await page.locator("body").textContent()).not.toContain("supersecret");

    // One per service: adding a second offers to edit the one there is.
    await page.getByRole("button", { name: "Add credential" }).click();
    await page.getByRole("dialog").getByText("The organization already has a HuggingFace API token").waitFor();
    await page.getByRole("button", { name: "Edit the existing one" }).click();
    await page.getByRole("heading", { name: "Replace credential" }).waitFor();
    await page.getByLabel("New value").fill("hf_othersecretvalue5678");
    await page.getByRole("button", { name: "Save" }).click();
    await eventually(() => row.textContent()).toContain("****5678");
    expect(await page.getByRole("row", { name: /HuggingFace/ }).count()).toBe(1);
  });

  it("keeps a pipeline template in the org settings and starts a project's pipeline from it", async () => {
    await page.getByRole("link", { name: "Templates" }).click();
    await page.getByRole("button", { name: "Add template" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Two-step review");
    await page.getByLabel("Description").fill("Evaluate, then a second person reviews.");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("row", { name: /Two-step review/ }).waitFor();

    await page.getByRole("link", { name: "Projects" }).click();
    await page.getByRole("link", { name: /Support agent evals/ }).click();
    await section("Pipelines").click();
    await page.getByRole("button", { name: "From a template" }).click();
    await page.getByRole("dialog").getByRole("listitem").filter({ hasText: "Two-step review" }).getByRole("button", { name: "Use" }).click();
    await page.waitForURL(/\/pipelines\/[^/]+$/);
    await page.getByRole("heading", { name: "Two-step review" }).waitFor();
    expect(await page.locator("dt:text-is('Reviews the work of') + dd").textContent()).toBe("Evaluate");
  });
});
