// Accessibility of the main screens, checked by axe-core (WCAG 2.1 A and AA) in
// the real browser: labels, names, roles, contrast, landmarks.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { addProjectMember } from "../helpers/factories";
import { client } from "../helpers/http";
import { goodAnswers, importTasks, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";
import { a11yViolations, launchBrowser, openTab, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
let q: QueueProject;
const tabs: Tab[] = [];

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
  q = await queueProject(t.deps, t.url);
  await addProjectMember(t.deps, q.project, "viewer", null, "Vera Viewer");
  await importTasks(q, [{ payload: { input: [{ role: "user", content: "Is the museum open on Mondays?" }], output: "It is closed on Mondays." } }]);
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  for (const x of tabs) expect(x.errors).toEqual([]);
  await browser?.close();
  await t?.close();
});

async function check(token: string | undefined, path: string, ready: (tab: Tab) => Promise<unknown>) {
  const tab = await openTab(browser, t.url, path, { token, bypassCSP: true });
  tabs.push(tab);
  await ready(tab);
  return a11yViolations(tab.page);
}

describe("accessibility", () => {
  it("the checker finds what it should (an unlabelled field and an image without text)", async () => {
    const tab = await openTab(browser, t.url, "/login", { bypassCSP: true });
    tabs.push(tab);
    await tab.page.getByRole("button", { name: "Sign in" }).waitFor();
    await tab.page.evaluate(() => {
      document.body.insertAdjacentHTML("beforeend", '<input id="nameless"><img src="/favicon.svg">');
    });
    const ids = (await a11yViolations(tab.page)).map((v) => v.id).sort();
    expect(ids).toEqual(expect.arrayContaining(["image-alt", "label"]));
  });

  it("the sign-in page", async () => {
    expect(await check(undefined, "/login", (x) => x.page.getByRole("button", { name: "Sign in" }).waitFor())).toEqual([]);
  });

  it("the contributor's queue and the task form", async () => {
    const who = q.types.Evaluators!.people[0]!;
    expect(await check(who.token, "/work", (x) => x.page.getByRole("button", { name: "Claim next" }).first().waitFor())).toEqual([]);
    const tab = tabs.at(-1)!;
    await tab.page.getByRole("button", { name: "Claim next" }).first().click();
    await tab.page.getByRole("heading", { name: "Your evaluation" }).waitFor();
    expect(await a11yViolations(tab.page)).toEqual([]);
  });

  it("the inbox, with an unread notification", async () => {
    const author = q.types.Evaluators!.people[1]!;
    await importTasks(q, [{ payload: { input: "Do you ship to Norway?", output: "Yes, in 3–5 days." } }]);
    expect((await submitAs(q, author, await mustClaim(q, author, "evaluate"), { answers: goodAnswers })).status).toBe(201);
    const reviewer = q.types.Reviewers!.people[0]!;
    expect(await check(reviewer.token, "/inbox", (x) => x.page.getByText("Ready for review: Review").first().waitFor())).toEqual([]);
    expect(await tabs.at(-1)!.page.getByText("Unread", { exact: true }).count()).toBeGreaterThan(0);
  });

  it("the account page and a password reset link's page", async () => {
    expect(await check(q.admin.token, "/account", (x) => x.page.getByRole("heading", { name: "Change password" }).waitFor())).toEqual([]);
    const who = q.types.Reviewers!.people[1]!;
    const made = await client(t.url, q.admin.token).post(`/api/orgs/${q.org.id}/people/${who.id}/password-reset`);
    expect(made.status).toBe(201);
    const link = `/reset-password?token=${made.body.reset.token}`;
    expect(await check(undefined, link, (x) => x.page.getByRole("button", { name: "Set password and sign in" }).waitFor())).toEqual([]);
  });

  it("the dashboard", async () => {
    expect(await check(q.admin.token, `/orgs/${q.org.id}/dashboard`, (x) => x.page.getByRole("heading", { name: "Engagement", exact: true }).waitFor())).toEqual([]);
  });

  it("the admin pages: pipeline editor, tasks, runs, types, team, people, settings", async () => {
    const base = `/projects/${q.project.id}`;
    const pages: Array<[string, string]> = [
      [`${base}/pipelines/${q.pipeline.id}`, "Evaluation form"],
      [`${base}/tasks`, "Status"],
      [`${base}/runs`, "External id"],
      [`${base}/types`, "Evaluators"],
      [`${base}/team`, "Vera Viewer"],
      [`${base}/settings`, "API keys"],
      [`/orgs/${q.org.id}/people`, "Invite a person"],
      [`/orgs/${q.org.id}/settings/api-keys`, "Create key"],
    ];
    for (const [path, text] of pages) {
      const found = await check(q.admin.token, path, (x) => x.page.getByText(text, { exact: true }).first().waitFor());
      expect(found, path).toEqual([]);
    }
  });
});
