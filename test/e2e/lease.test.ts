// A short lease in the browser: heartbeats cannot stretch it past the node's
// maximum, so the task page warns before it ends, then says the claim is over
// while the typed answer stays on screen.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { addProjectMember, createOrg, createProject } from "../helpers/factories";
import { client } from "../helpers/http";
import { launchBrowser, openTab, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
const tabs: Tab[] = [];

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  // A heartbeat racing the end of the lease may be answered 409 claim_lost; the browser logs it.
  for (const x of tabs) expect(x.errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
  await browser?.close();
  await t?.close();
});

describe("a lease running out", () => {
  it("warns before the end, then keeps the answer when the claim is over", async () => {
    const { org, admin } = await createOrg(t.deps);
    const project = await createProject(t.deps, org.id);
    const who = await addProjectMember(t.deps, project, "contributor");
    const pipeline = await client(t.url, admin.token).post(`/api/projects/${project.id}/pipelines`, {
      name: "Quick checks",
      nodes: [
        { key: "check", kind: "task", name: "Quick check", leaseSeconds: 12, maxLeaseSeconds: 12, form: { criteria: [{ key: "why", label: "Why", kind: "text", required: true }] } },
        { key: "done", kind: "end", name: "Done" },
      ],
    });
    expect(pipeline.status).toBe(201);
    expect((await client(t.url, admin.token).post(`/api/pipelines/${pipeline.body.id}/tasks`, { tasks: [{ payload: { input: "x" } }] })).status).toBe(201);

    const tab = await openTab(browser, t.url, "/work", { token: who.token });
    tabs.push(tab);
    await tab.page.getByRole("button", { name: "Claim next" }).click();
    await tab.page.getByLabel("Why").fill("Still thinking about it");
    await tab.page.getByTestId("lease-warning").waitFor({ timeout: 15_000 });
    await tab.page.getByTestId("claim-lost").waitFor({ timeout: 15_000 });
    expect(await tab.page.getByTestId("lease-warning").count()).toBe(0);
    expect(await tab.page.getByLabel("Why").inputValue()).toBe("Still thinking about it");
  });
});
