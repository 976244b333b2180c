// Submit and take the next, in a real browser against the real server: the
// button and Ctrl+Shift+Enter submit and open the next task of the same node
// at once; with nothing left the contributor lands on the queue and is told why.
import { beforeAll, describe, expect, it } from "vitest";
import type { TestUser } from "../helpers/factories";
import { importTasks, queueProject, type QueueProject } from "../helpers/queue";
import { eventually, numberIn, type Tab } from "./browser";
import { e2eApp } from "./suite";

const t = e2eApp();
let q: QueueProject;
let alice: TestUser;

beforeAll(async () => {
  q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 1, people: 1 }, { name: "Reviewers" }] });
  alice = q.types.Evaluators!.people[0]!;
  await importTasks(q, [3, 2, 1].map((n) => ({ payload: { input: `Question number ${n}`, output: `Answer number ${n}` }, priority: n })));
});

async function answer(tab: Tab) {
  await tab.page.getByRole("group", { name: /Accuracy/ }).getByText("4", { exact: true }).click();
  await tab.page.getByRole("group", { name: /Helpful/ }).getByRole("radio", { name: "Yes" }).check();
}

describe("submit and take the next", () => {
  it("goes from task to task at one node without the queue page, within a claim limit of one", async () => {
    const a = await t.open("/work", { token: alice.token });
    const evaluate = `article[data-node="${q.node("evaluate")}"]`;
    await eventually(() => numberIn(a.page, `${evaluate} [data-testid=available]`)).toBe(3);
    await a.page.locator(evaluate).getByRole("button", { name: "Claim next" }).click();
    await a.page.getByText("Question number 3").waitFor();
    const first = a.page.url();

    await answer(a);
    await a.page.getByRole("button", { name: "Submit and next" }).first().click();
    await a.page.getByText("Question number 2").waitFor();
    expect(a.page.url()).not.toBe(first);
    expect(a.page.url()).toMatch(/\/work\/claims\/[^/?]+\?project=/);
    await a.page.getByTestId("toast").filter({ hasText: "Here is the next task." }).first().waitFor();

    await answer(a);
    await a.page.keyboard.press("Control+Shift+Enter");
    await a.page.getByText("Question number 1").waitFor();

    await answer(a);
    await a.page.getByRole("button", { name: "Submit and next" }).first().click();
    await a.page.waitForURL(/\/work$/);
    await a.page.getByTestId("toast").filter({ hasText: "Nothing waiting for you here right now." }).waitFor();
    await eventually(() => numberIn(a.page, `${evaluate} [data-testid=available]`)).toBe(0);
    const subs = await t.deps.db.submission.findMany({ where: { projectId: q.project.id } });
    expect(subs).toHaveLength(3);
  });
});
