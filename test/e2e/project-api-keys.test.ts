// A project Owner makes an API key for an agent on the project's settings page: it is
// shown once, sends runs into this project and nothing else, and stops at once when revoked.
import { beforeAll, describe, expect, it } from "vitest";
import { client } from "../helpers/http";
import { queueProject, type QueueProject } from "../helpers/queue";
import { e2eApp } from "./suite";

const t = e2eApp();
let q: QueueProject;
let agentId: string;

beforeAll(async () => {
  q = await queueProject(t.deps, t.url);
  agentId = (await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/agents`, { name: "Support bot" })).body.id;
});

describe("project API keys", () => {
  it("an Owner makes a runs-only key, shown once, that sends runs and nothing more, and revokes it", async () => {
    const tab = await t.open(`/projects/${q.project.id}/settings`, { token: q.owner.token });
    const page = tab.page;
    page.on("dialog", (d) => void d.accept());
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    await page.getByLabel("New key's name").fill("Support agent");
    await page.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByLabel(/API key “Support agent”/);
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key).toMatch(/^pk_/);
    await page.getByRole("button", { name: "I stored it" }).click();
    expect(await page.locator("body").textContent()).not.toContain(key);
    const row = page.getByRole("row", { name: /Support agent/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Send runs");

    const agent = client(t.url, key);
    expect((await agent.post(`/api/agents/${agentId}/runs`, { input: "Q", output: "A", pipelineId: q.pipeline.id })).status).toBe(201);
    expect((await agent.get(`/api/orgs/${q.org.id}/people`)).status).toBe(403);
    expect((await agent.delete(`/api/projects/${q.project.id}`)).status).toBe(403);

    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByText("revoked").waitFor();
    expect((await agent.post(`/api/agents/${agentId}/runs`, { input: "Q", output: "A", pipelineId: q.pipeline.id })).status).toBe(401);
  });

  it("the org's API keys page shows each key's scope", async () => {
    expect((await client(t.url, q.admin.token).post(`/api/orgs/${q.org.id}/api-keys`, { name: "Org script" })).status).toBe(201);
    const tab = await t.open(`/orgs/${q.org.id}/settings/api-keys`, { token: q.admin.token });
    const project = tab.page.getByRole("row", { name: /Support agent/ });
    await project.getByText(`Project ${q.project.name}: Send runs`).waitFor();
    await tab.page.getByRole("row", { name: /Org script/ }).getByText("Organization: its maker's rights").waitFor();
  });
});
