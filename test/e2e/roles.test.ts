// Who sees what, in a real browser: a Viewer gets every admin page with the
// write actions gone (and the API still refuses a forced write); the persona
// switch exists only for an account with both an admin and a contributor role;
// sign-in and sign-out through the form.
import { beforeAll, describe, expect, it } from "vitest";
import { addProjectMember, FACTORY_PASSWORD } from "../helpers/factories";
import { client } from "../helpers/http";
import { importTasks, queueProject, type QueueProject } from "../helpers/queue";
import type { TestUser } from "../helpers/factories";
import { screenshot } from "./browser";
import { e2eApp } from "./suite";

const t = e2eApp();
let q: QueueProject;
let viewer: TestUser;

beforeAll(async () => {
  q = await queueProject(t.deps, t.url);
  viewer = await addProjectMember(t.deps, q.project, "viewer", null, "Vera Viewer");
  await importTasks(q, [{ payload: { input: "hello", output: "world" } }]);
  const agent = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/agents`, { name: "trip-planner" });
  expect(agent.status).toBe(201);
});

async function open(token: string | undefined, path: string) {
  const tab = await t.open(path, { token });
  return tab;
}

describe("a Viewer", () => {
  it("sees every project page read-only, with no write action", async () => {
    const v = await open(viewer.token, `/projects/${q.project.id}/pipelines`);
    const page = v.page;
    await page.getByRole("link", { name: /Agent evals/ }).waitFor();
    await page.getByTestId("read-only").waitFor();
    expect(await page.getByRole("link", { name: "New pipeline" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "From a template" }).count()).toBe(0);

    await page.getByRole("link", { name: "Agent evals" }).click();
    // The pipeline reads as text: no fields, no editing buttons (not even disabled ones).
    await page.getByRole("heading", { name: "Agent evals", level: 2 }).waitFor();
    await page.getByRole("heading", { name: "Evaluation form" }).waitFor();
    expect(await page.getByText("Reviews the work of").count()).toBe(1);
    expect(await page.getByRole("textbox").count()).toBe(0);
    expect(await page.getByRole("combobox").count()).toBe(0);
    expect(await page.getByRole("button", { name: /^(Remove|↑|↓|Move .*|\+ .* node|Create pipeline)$/ }).count()).toBe(0);
    expect(await page.getByText(/save this one as a template/).count()).toBe(0);
    await screenshot(page, "viewer-pipeline");

    const checks: Array<[string, string, RegExp]> = [
      ["types", "Evaluators", /^Add type$/],
      ["team", "Vera Viewer", /^(Add|Remove)$/],
      ["agents", "trip-planner", /^(Add agent|Pause|Archive|Activate)$/],
      ["import", "Importing tasks is for the project's Owners and Org Admins.", /^Import$/],
      ["settings", "About", /^Save$/],
    ];
    for (const [tab, visible, forbidden] of checks) {
      await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: new RegExp(tab, "i") }).first().click();
      await page.getByText(visible, { exact: true }).first().waitFor();
      expect(await page.getByRole("button", { name: forbidden }).count(), `${tab}: ${forbidden}`).toBe(0);
    }
    expect(await page.getByRole("combobox", { name: /Role of/ }).count()).toBe(0);
    await screenshot(page, "viewer-settings");
  });

  it("is refused by the API when forcing a write anyway", async () => {
    const api = client(t.url, viewer.token);
    const forced = await api.post(`/api/projects/${q.project.id}/contributor-types`, { name: "Sneaky", claimLimit: 1 });
    expect(forced.status).toBe(403);
    expect(forced.body.error.code).toBe("forbidden");
    const pipeline = await api.post(`/api/projects/${q.project.id}/pipelines`, { name: "x", nodes: [] });
    expect([400, 403]).toContain(pipeline.status);
    const list = await client(t.url, q.owner.token).get(`/api/projects/${q.project.id}/contributor-types`);
    expect(list.body.items.map((x: { name: string }) => x.name)).not.toContain("Sneaky");
  });
});

describe("the persona switch", () => {
  it("appears for an account with both an admin and a contributor role, and the choice persists", async () => {
    // The Org Admin also works as a contributor in the project.
    await client(t.url, q.admin.token).post(`/api/projects/${q.project.id}/members`, { userId: q.admin.id, role: "contributor", contributorTypeId: q.types.Evaluators!.id });
    const a = await open(q.admin.token, "/");
    await a.page.waitForURL(/\/orgs\/.+\/dashboard/);
    await a.page.getByRole("button", { name: /org-admin/ }).click();
    await a.page.getByRole("menuitem", { name: "Switch to Contributor" }).click();
    await a.page.waitForURL(/\/work$/);
    await a.page.getByRole("heading", { name: "Work queues" }).waitFor();
    await a.page.reload();
    await a.page.getByRole("heading", { name: "Work queues" }).waitFor();
    await a.page.goto("/");
    await a.page.waitForURL(/\/work$/);
    await a.page.getByRole("button", { name: /org-admin/ }).click();
    await a.page.getByRole("menuitem", { name: "Switch to Admin" }).waitFor();
  });

  it("never appears for a contributor only or a Viewer only", async () => {
    for (const [who, home] of [
      [q.types.Evaluators!.people[0]!, /\/work$/],
      [viewer, /\/projects$/],
    ] as const) {
      const tab = await open(who.token, "/");
      await tab.page.waitForURL(home);
      await tab.page.locator("button.account").click();
      await tab.page.getByRole("menuitem", { name: "Sign out", exact: true }).waitFor();
      expect(await tab.page.getByRole("menuitem", { name: /Switch to/ }).count()).toBe(0);
    }
  });
});

describe("signing in", () => {
  it("signs in with the form, keeps the session across a reload, and signs out", async () => {
    const who = q.types.Reviewers!.people[0]!;
    const s = await open(undefined, "/work");
    await s.page.waitForURL(/\/login\?next=%2Fwork/);
    await s.page.getByLabel("Email").fill(who.email);
    await s.page.getByLabel("Password").fill(FACTORY_PASSWORD);
    await s.page.getByRole("button", { name: "Sign in" }).click();
    await s.page.waitForURL(/\/work$/);
    await s.page.reload();
    await s.page.getByRole("heading", { name: "Work queues" }).waitFor();
    await s.page.locator("button.account").click();
    await s.page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
    await s.page.waitForURL(/\/login$/);
    await s.page.goto("/work");
    await s.page.waitForURL(/\/login/);
  });

  it("says so when the password is wrong", async () => {
    const s = await open(undefined, "/login");
    await s.page.getByLabel("Email").fill(q.owner.email);
    await s.page.getByLabel("Password").fill("wrong-password");
    await s.page.getByRole("button", { name: "Sign in" }).click();
    await s.page.getByRole("alert").filter({ hasText: "Email or password is not right." }).waitFor();
    // The browser logs the 401 of a failed sign-in; nothing else may appear.
    s.errors.splice(0, s.errors.length, ...s.errors.filter((e) => !/status of 401/.test(e)));
  });
});
