// A pipeline changed in the browser by its Owner: renamed, edited as a new
// version (the editor opens on the current definition), archived and restored;
// the old version is marked and kept out of the import targets, while its task
// in flight is still submitted. A pipeline created with a description, which its
// next version carries; that version deleted, while one that holds a task is
// refused with the server's reason. A Viewer sees none of the write buttons.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { addProjectMember, type TestUser } from "../helpers/factories";
import { client } from "../helpers/http";
import { goodAnswers, importTasks, mustClaim, queueProject, submitAs, type Held, type QueueProject } from "../helpers/queue";
import { eventually, screenshot } from "./browser";
import { e2eApp } from "./suite";

// The refused delete is logged by the browser as a failed load.
const t = e2eApp({ allowErrors: /status of 409/ });
let q: QueueProject;
let viewer: TestUser;
let held: Held;

beforeAll(async () => {
  q = await queueProject(t.deps, t.url);
  viewer = await addProjectMember(t.deps, q.project, "viewer", null, "Vera Viewer");
  await importTasks(q, [{ payload: { input: "Where is my parcel?", output: "It ships tomorrow." } }]);
  held = await mustClaim(q, q.types.Evaluators!.people[0]!, "evaluate");
});

async function open(token: string, path: string): Promise<Page> {
  const tab = await t.open(path, { token });
  // Archiving and deleting ask for confirmation.
  tab.page.on("dialog", (d) => void d.accept());
  return tab.page;
}

const api = () => client(t.url, q.owner.token);
const pipelines = async () => (await api().get(`/api/projects/${q.project.id}/pipelines`)).body.items as Array<Record<string, unknown>>;

describe("an Owner changing a pipeline", () => {
  it("renames it, saves a new version from the current definition, archives and restores it", async () => {
    const page = await open(q.owner.token, `/projects/${q.project.id}/pipelines/${q.pipeline.id}`);
    await page.getByRole("heading", { name: "Agent evals", level: 2 }).waitFor();

    await page.getByRole("button", { name: "Rename" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("Support evals");
    await dialog.getByLabel("Description").fill("A weekly sample of the support agent's answers.");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Support evals", level: 2 }).waitFor();
    await page.getByText("A weekly sample of the support agent's answers.").waitFor();

    // The editor opens on the current definition: its nodes, names and questions.
    await page.getByRole("button", { name: "Edit as new version" }).click();
    await page.getByRole("heading", { name: "Version 2 of Support evals" }).waitFor();
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("Support evals");
    expect(await page.getByLabel("Node 1 name").inputValue()).toBe("Evaluate");
    expect(await page.getByLabel("Node 2 name").inputValue()).toBe("Review");
    await page.getByLabel("Node 1 name").fill("Evaluate the answer");
    await page.getByRole("button", { name: "Text", exact: true }).click();
    await page.getByRole("button", { name: "Save as version 2" }).click();

    await page.getByRole("heading", { name: /Support evals\s*v2/, level: 2 }).waitFor();
    const [v1, v2] = await pipelines();
    expect([v1!.status, v1!.nextId, v2!.status, v2!.version, v2!.previousId]).toEqual(["archived", v2!.id, "active", 2, q.pipeline.id]);
    expect(page.url()).toContain(`/pipelines/${v2!.id}`);
    expect((v2!.nodes as Array<{ name: string; form: { criteria: unknown[] } | null }>)[0]).toMatchObject({ name: "Evaluate the answer" });
    expect((v2!.nodes as Array<{ form: { criteria: unknown[] } }>)[0]!.form.criteria).toHaveLength(5);

    // The old version: marked, linked to the newer one, only renamable.
    await page.getByRole("link", { name: "Version 1" }).click();
    await page.getByText("Replaced by a newer version").waitFor();
    expect(await page.getByRole("button", { name: /^(Archive|Restore|Edit as new version|Delete)$/ }).count()).toBe(0);
    // Its task in flight is still worked: the claim made before the change is submitted.
    expect((await submitAs(q, q.types.Evaluators!.people[0]!, held, { answers: goodAnswers })).status).toBe(201);
    await page.getByRole("link", { name: "Open the newer version" }).click();
    await page.getByRole("heading", { name: /Support evals\s*v2/, level: 2 }).waitFor();

    // The list hides the archived version until asked; the import offers only the active one.
    await page.getByRole("link", { name: "All pipelines" }).click();
    await page.getByRole("link", { name: /Support evals\s*v2/ }).waitFor();
    expect(await page.getByText("Archived", { exact: true }).count()).toBe(0);
    await page.getByLabel("Show archived (1)").check();
    await eventually(() => page.getByText("Archived", { exact: true }).count()).toBe(1);
    await screenshot(page, "pipeline-versions");
    await page.goto(`/projects/${q.project.id}/import`);
    const target = page.getByLabel("Pipeline", { exact: true });
    await target.waitFor();
    expect(await target.locator("option").allTextContents()).toEqual(["Support evals (v2)"]);

    // Archived, the new version takes no imports either, until restored.
    await page.goto(`/projects/${q.project.id}/pipelines/${v2!.id}`);
    await page.getByRole("button", { name: "Archive" }).click();
    await page.getByText("Archived: it takes no new tasks").waitFor();
    await screenshot(page, "pipeline-archived");
    expect((await api().post(`/api/pipelines/${v2!.id}/tasks`, { tasks: [{ payload: { n: 1 } }] })).body.error.code).toBe("pipeline_archived");
    await page.getByRole("button", { name: "Restore" }).click();
    await page.getByRole("button", { name: "Archive" }).waitFor();
    expect((await pipelines())[1]!.status).toBe("active");
  });
});

describe("a Viewer", () => {
  it("reads a pipeline with no button to change it", async () => {
    const page = await open(viewer.token, `/projects/${q.project.id}/pipelines/${q.pipeline.id}`);
    await page.getByRole("heading", { name: /Support evals/, level: 2 }).waitFor();
    await page.getByText("Replaced by a newer version").waitFor();
    expect(await page.getByRole("button", { name: /^(Rename|Archive|Restore|Edit as new version|Delete)$/ }).count()).toBe(0);
  });
});

describe("an Owner creating and deleting pipelines", () => {
  it("describes a new pipeline, carries the description into its next version, deletes that version, and is told why one with a task stays", async () => {
    const p = await queueProject(t.deps, t.url);
    const owner = client(t.url, p.owner.token);
    const page = await open(p.owner.token, `/projects/${p.project.id}/pipelines/new`);
    await page.getByLabel("Name", { exact: true }).fill("Spot checks");
    await page.getByLabel("Description").fill("Ten answers a day, picked at random.");
    await page.getByRole("button", { name: "Create pipeline" }).click();
    await page.getByRole("heading", { name: "Spot checks", level: 2 }).waitFor();
    await page.getByText("Ten answers a day, picked at random.").waitFor();
    const v1 = (await owner.get(`/api/projects/${p.project.id}/pipelines`)).body.items[1];
    expect([v1.name, v1.description]).toEqual(["Spot checks", "Ten answers a day, picked at random."]);

    // The next version opens with the description, and saves the one edited.
    await page.getByRole("button", { name: "Edit as new version" }).click();
    await page.getByRole("heading", { name: "Version 2 of Spot checks" }).waitFor();
    expect(await page.getByLabel("Description").inputValue()).toBe("Ten answers a day, picked at random.");
    await page.getByLabel("Description").fill("Twenty answers a day.");
    await page.getByRole("button", { name: "Save as version 2" }).click();
    await page.getByRole("heading", { name: /Spot checks\s*v2/, level: 2 }).waitFor();
    await page.getByText("Twenty answers a day.").waitFor();
    const v2 = (await owner.get(`/api/pipelines/${v1.id}`)).body.nextId as string;
    expect((await owner.get(`/api/pipelines/${v2}`)).body.description).toBe("Twenty answers a day.");

    // Deleted (it never held a task), the page leaves for the list, where version 1 is the newest again.
    await page.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(new RegExp(`/projects/${p.project.id}/pipelines$`));
    expect((await owner.get(`/api/pipelines/${v2}`)).status).toBe(404);
    expect((await owner.get(`/api/pipelines/${v1.id}`)).body).toMatchObject({ status: "archived", nextId: null });

    // One that holds a task stays: the refusal says why, and to archive it instead.
    await importTasks(p, [{ payload: { input: "Hi", output: "Hello" } }]);
    await page.goto(`/projects/${p.project.id}/pipelines/${p.pipeline.id}`);
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("alert").filter({ hasText: "Archive it instead" }).waitFor();
    expect(page.url()).toContain(`/pipelines/${p.pipeline.id}`);
    expect((await owner.get(`/api/pipelines/${p.pipeline.id}`)).status).toBe(200);
  });
});
