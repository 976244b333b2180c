// Browsing a node's tasks and claiming a given one, in a real browser against the
// real server: the queue card says what was returned to me and offers Browse; the
// list shows the returned task with the reviewer's comment, hides it from others,
// follows claims made elsewhere, and Claim opens the very task chosen (by mouse or
// keyboard), its rework with the comment.
import { beforeAll, describe, expect, it } from "vitest";
import type { TestUser } from "../helpers/factories";
import { goodAnswers, importTasks, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";
import { a11yViolations, type Tab } from "./browser";
import { e2eApp } from "./suite";

const t = e2eApp();
let q: QueueProject;
let alice: TestUser;
let bob: TestUser;
let ids: string[] = [];

beforeAll(async () => {
  q = await queueProject(t.deps, t.url, {
    lanes: [
      { name: "Evaluators", claimLimit: 3, people: 2 },
      { name: "Reviewers", claimLimit: 3, people: 1 },
    ],
  });
  [alice, bob] = q.types.Evaluators!.people as [TestUser, TestUser];
  const rita = q.types.Reviewers!.people[0]!;
  ids = await importTasks(q, ["Lyon", "Geneva", "Turin", "Basel"].map((city) => ({ payload: { question: `Trains to ${city}?` } })));
  // Alice's answer to the first is returned to her with a comment.
  expect((await submitAs(q, alice, await mustClaim(q, alice, "evaluate", ids[0]), { answers: goodAnswers })).status).toBe(201);
  expect((await submitAs(q, rita, await mustClaim(q, rita, "review"), { verdict: "return", comment: "Check the Sunday timetable." })).status).toBe(201);
});

async function open(who: TestUser, path: string) {
  const tab = await t.open(path, { token: who.token, bypassCSP: true });
  return tab;
}

const row = (tab: Tab, taskId: string) => tab.page.locator(`li[data-task="${taskId}"]`);
const listed = (tab: Tab) => tab.page.locator("li[data-task]").evaluateAll((els) => els.map((e) => e.getAttribute("data-task")));

describe("browse and claim a given task", () => {
  let a: Tab;
  let b: Tab;

  it("says on the queue card what was returned to me, and Browse opens the node's tasks", async () => {
    a = await open(alice, "/work");
    const card = a.page.locator(`article[data-node="${q.node("evaluate")}"]`);
    await card.getByTestId("returned").filter({ hasText: "1 returned to you" }).waitFor();
    // By keyboard: the link takes focus and Enter follows it.
    await card.getByRole("link", { name: "Browse tasks at Evaluate" }).focus();
    await a.page.keyboard.press("Enter");
    await a.page.waitForURL(new RegExp(`/projects/${q.project.id}/queue/${q.node("evaluate")}$`));
    await a.page.getByRole("heading", { name: "Available at Evaluate" }).waitFor();
    await row(a, ids[0]!).getByText("Returned to you").waitFor();
    await row(a, ids[0]!).getByText("Check the Sunday timetable.").waitFor();
    expect(await listed(a)).toEqual(ids); // the returned one first: oldest, same priority
    expect(await a11yViolations(a.page)).toEqual([]);
  });

  it("shows others the tasks without the one returned to me, and a claim there leaves my list live", async () => {
    b = await open(bob, `/projects/${q.project.id}/queue/${q.node("evaluate")}`);
    await row(b, ids[1]!).waitFor();
    expect(await listed(b)).toEqual(ids.slice(1));
    expect(await b.page.locator(`article[data-node]`).count()).toBe(0);

    // Bob picks the third task, not the first in line.
    await row(b, ids[2]!).getByRole("button", { name: /^Claim task / }).click();
    await b.page.waitForURL(/\/work\/claims\//);
    await b.page.getByText("Trains to Turin?").waitFor();
    // Re-read at most every ~10 s (jittered) while events come: longer than eventually()'s wait on a slow machine.
    await expect.poll(() => listed(a), { timeout: 30_000, interval: 200 }).toEqual([ids[0], ids[1], ids[3]]);
  });

  it("claims the returned task with the keyboard and opens its rework with the reviewer's comment", async () => {
    await row(a, ids[0]!).getByRole("button", { name: /^Claim task / }).focus();
    await a.page.keyboard.press("Enter");
    await a.page.waitForURL(/\/work\/claims\//);
    const note = a.page.getByRole("note", { name: "Returned for rework" });
    await note.waitFor();
    expect(await note.textContent()).toContain("Check the Sunday timetable.");
    await a.page.getByText("Trains to Lyon?").waitFor();
  });
});
