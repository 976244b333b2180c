// The contributor and reviewer flow in a real browser against the real server:
// a claim and a submission while another contributor's queue moves live, the
// reviewer's toast (and desktop notification while the tab is hidden), the
// review passed, a lost claim keeping the typed answers (and never showing them to
// the next person signed in on that browser), keyboard shortcuts.
import { beforeAll, describe, expect, it } from "vitest";
import { client } from "../helpers/http";
import { importTasks, mustClaim, queueProject, type QueueProject } from "../helpers/queue";
import { FACTORY_PASSWORD, type TestUser } from "../helpers/factories";
import { eventually, numberIn, screenshot, type OpenOptions, type Tab } from "./browser";
import { e2eApp } from "./suite";

const t = e2eApp();
let q: QueueProject;
let alice: TestUser;
let bob: TestUser;
let rita: TestUser;

// Records desktop notifications (the real API, permission granted) and lets the
// test put the tab "in the background".
const notificationSpy = `
  window.__notes = [];
  window.__hidden = false;
  Object.defineProperty(document, "visibilityState", { get: () => (window.__hidden ? "hidden" : "visible") });
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, opts) { super(title, opts); window.__notes.push({ title, body: opts && opts.body }); }
  };
`;

const card = (tab: Tab, nodeKey: string) => tab.page.locator(`article[data-node="${q.node(nodeKey)}"]`);
const available = (tab: Tab, nodeKey: string) => numberIn(tab.page, `article[data-node="${q.node(nodeKey)}"] [data-testid=available]`);

beforeAll(async () => {
  q = await queueProject(t.deps, t.url, {
    lanes: [
      { name: "Evaluators", claimLimit: 3, people: 2 },
      { name: "Reviewers", claimLimit: 3, people: 1 },
    ],
  });
  [alice, bob] = q.types.Evaluators!.people as [TestUser, TestUser];
  rita = q.types.Reviewers!.people[0]!;
  const convo = (n: number) => ({
    input: [
      { role: "system", content: "You are a careful travel assistant." },
      { role: "user", content: `Which train gets me from Lyon to Geneva before ${8 + n}:00?` },
    ],
    output: `Take the TER at ${6 + n}:12 from Lyon Part-Dieu; it arrives in Geneva Cornavin at ${8 + n}:05.`,
    agent: { name: "trip-planner", version: "1.4.2" },
  });
  await importTasks(q, [1, 2, 3, 4].map((n) => ({ payload: convo(n), priority: n === 1 ? 5 : 0 })));
});

const open = (who: TestUser, path: string, more: OpenOptions = {}) => t.open(path, { token: who.token, ...more });

describe("work queue in the browser", () => {
  let a: Tab;
  let b: Tab;
  let r: Tab;
  let firstTaskId = "";

  it("shows each contributor the nodes of their type with live counts", async () => {
    a = await open(alice, "/work");
    b = await open(bob, "/work");
    r = await open(rita, "/work", { permissions: ["notifications"], initScript: notificationSpy });
    await card(a, "evaluate").waitFor();
    await eventually(() => available(b, "evaluate")).toBe(4);
    expect(await card(b, "review").count()).toBe(0); // evaluators do not see the review node
    await card(r, "review").waitFor();
    expect(await available(r, "review")).toBe(0);
    expect(await card(r, "review").getByRole("button", { name: "Claim next" }).isDisabled()).toBe(true);
  });

  it("claims the highest-priority task while the other contributor's count drops live", async () => {
    await card(a, "evaluate").getByRole("button", { name: "Claim next" }).click();
    await a.page.waitForURL(/\/work\/claims\//);
    await a.page.getByRole("heading", { name: "Agent input" }).waitFor();
    await a.page.getByText("before 9:00?").waitFor(); // priority 5 first
    expect(await a.page.getByText("Take the TER at 7:12").count()).toBe(1);
    await eventually(() => available(b, "evaluate")).toBe(3);
    firstTaskId = (await a.page.locator("code").first().textContent()) ?? "";
  });

  it("submits the evaluation with the keyboard and sends the reviewer a toast, a desktop notification and an unread count", async () => {
    await r.page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = true));
    await a.page.getByRole("group", { name: /Accuracy/ }).getByText("4", { exact: true }).click();
    await a.page.getByRole("group", { name: /Helpful/ }).getByRole("radio", { name: "Yes" }).check();
    await a.page.getByLabel("Notes").fill("Correct times; cites the right station.");
    await a.page.keyboard.press("Control+Enter");
    await a.page.waitForURL(/\/work$/);
    await a.page.getByTestId("toast").filter({ hasText: "Evaluation submitted" }).waitFor();

    const toast = r.page.getByTestId("toast").filter({ hasText: "Ready for review" });
    await toast.waitFor();
    await eventually(() => available(r, "review")).toBe(1);
    await eventually(() => r.page.evaluate(() => (window as unknown as { __notes: { title: string }[] }).__notes.map((n) => n.title))).toEqual([
      expect.stringContaining("Ready for review"),
    ]);
    expect(await r.page.title()).toMatch(/^\(1\) /);
    await screenshot(r.page, "reviewer-toast");
  });

  it("lets the reviewer see the submission and pass it, which completes the task", async () => {
    await r.page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = false));
    await card(r, "review").getByRole("button", { name: "Claim next" }).click();
    await r.page.waitForURL(/\/work\/claims\//);
    await r.page.getByRole("heading", { name: /Submission/ }).waitFor();
    await r.page.getByText("Correct times; cites the right station.").waitFor();
    await screenshot(r.page, "review");
    await r.page.getByRole("radio", { name: "Pass" }).check();
    await r.page.getByRole("button", { name: "Submit review" }).first().click();
    await r.page.getByTestId("toast").filter({ hasText: "Passed" }).waitFor();

    const tasks = await client(t.url, q.owner.token).get(`/api/projects/${q.project.id}/tasks?status=completed`);
    expect(tasks.body.items.map((x: { id: string }) => x.id.slice(-8))).toEqual([firstTaskId]);
  });

  it("claims with C and releases with Alt+R, the task going back to the queue", async () => {
    await b.page.bringToFront();
    await b.page.keyboard.press("c");
    await b.page.waitForURL(/\/work\/claims\//);
    await eventually(() => available(a, "evaluate")).toBe(2);
    await b.page.getByRole("heading", { name: "Agent output" }).waitFor();
    await b.page.keyboard.press("Alt+r");
    await b.page.waitForURL(/\/work$/);
    await eventually(() => available(a, "evaluate")).toBe(3);
  });

  it("keeps the typed answers on screen when the claim is lost, with a clear message", async () => {
    // A heartbeat racing the revoke may answer 409 claim_lost: the browser logs that response.
    b.allow = /status of 409/;
    await card(b, "evaluate").getByRole("button", { name: "Claim next" }).click();
    await b.page.waitForURL(/\/work\/claims\//);
    const claimId = b.page.url().split("/work/claims/")[1]!.split("?")[0]!;
    await b.page.getByLabel("Notes").fill("Half-written notes I must not lose");
    await b.page.getByRole("group", { name: /Accuracy/ }).getByText("2", { exact: true }).click();
    await b.page.getByRole("group", { name: /Helpful/ }).getByRole("radio", { name: "No" }).check();

    // The Owner takes it back: the page hears of it at once, without a submit or a heartbeat.
    const revoked = await client(t.url, q.owner.token).post(`/api/claims/${claimId}/revoke`);
    expect(revoked.status).toBe(204);
    await b.page.getByTestId("claim-lost").filter({ hasText: "An admin took this task back" }).waitFor();
    expect(await b.page.getByLabel("Notes").inputValue()).toBe("Half-written notes I must not lose");
    await screenshot(b.page, "claim-lost");

    // Claiming the same task again brings the draft back with it.
    await b.page.getByRole("button", { name: "Claim this task again" }).click();
    await eventually(() => b.page.url()).not.toContain(claimId);
    await b.page.getByRole("button", { name: /^Submit/ }).first().waitFor();
    expect(await b.page.getByLabel("Notes").inputValue()).toBe("Half-written notes I must not lose");
  });

  it("returns work with a comment, and the author hears of it", async () => {
    // Bob still holds the task he claimed again, with his draft: he submits it.
    await b.page.getByRole("button", { name: /^Submit/ }).first().click();
    await b.page.waitForURL(/\/work$/);
    await eventually(() => available(r, "review")).toBe(1);
    await card(r, "review").getByRole("button", { name: "Claim next" }).click();
    await r.page.getByText("Half-written notes I must not lose").waitFor();
    await r.page.getByRole("radio", { name: "Return for rework" }).check();
    await r.page.getByRole("button", { name: "Submit review" }).first().click();
    await r.page.getByText("Say what to change when returning work.").waitFor(); // a return needs a comment
    await r.page.getByLabel(/^Comment/).fill("Check the arrival time against the timetable.");
    await r.page.keyboard.press("Control+Enter");
    await r.page.getByTestId("toast").filter({ hasText: "Returned for rework" }).waitFor();
    await b.page.getByTestId("toast").filter({ hasText: "Your work was returned" }).waitFor();

    // Bob takes the rework: it opens with the reviewer's comment and the answers he sent.
    const returned = await t.deps.db.task.findFirstOrThrow({ where: { projectId: q.project.id, reworkUserId: bob.id } });
    const rework = await mustClaim(q, bob, "evaluate", returned.id);
    await b.page.goto(`${t.url}/work/claims/${rework.id}?project=${q.project.id}`);
    const note = b.page.getByRole("note", { name: "Returned for rework" });
    await note.getByText("Check the arrival time against the timetable.").waitFor();
    expect(await b.page.getByLabel("Notes").inputValue()).toBe("Half-written notes I must not lose");
    await b.page.goto(`${t.url}/work`);
  });

  it("tells in the task's history who acted and whom it concerned", async () => {
    const { taskId } = await t.deps.db.review.findFirstOrThrow({ where: { projectId: q.project.id, verdict: "return" } });
    const o = await open(q.owner, `/projects/${q.project.id}/tasks/${taskId}`);
    const history = o.page.locator(".timeline");
    await history.getByText(`Revoked by ${q.owner.name} (held by ${bob.name})`).waitFor();
    await history.getByText(`Reviewed by ${rita.name}: sent back for rework`).waitFor();
    await history.getByText(`Returned by ${rita.name} to ${bob.name} for rework`).waitFor();
    // The evaluation reads with its form's labels, in form order.
    await eventually(() => o.page.locator("article dl dt").allTextContents()).toEqual(["Accuracy", "Helpful?", "Notes"]);
    await screenshot(o.page, "task-history");
  });

  it("keeps the notifications in an inbox with the unread count in the title", async () => {
    await r.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Notifications/ }).click();
    await r.page.getByRole("heading", { name: "Notifications" }).waitFor();
    expect(await r.page.getByText(/^Ready for review/).count()).toBeGreaterThanOrEqual(1);
    expect(await r.page.title()).toMatch(/^\(\d+\) Notifications/);
    await r.page.getByRole("button", { name: "Mark all read" }).click();
    await eventually(() => r.page.title()).toBe("Notifications · Pipelines");
    await r.page.reload();
    await r.page.getByText("All read", { exact: true }).waitFor();
  });

  it("shows the author their submitted evaluations with the review's outcome", async () => {
    await b.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Submitted" }).click();
    await b.page.getByText("Returned").first().waitFor();
    await b.page.locator("main").getByText("Check the arrival time against the timetable.").waitFor();
    // The answers read as the form asked them: its labels in its order (the stored keys come back in any order).
    await eventually(() => b.page.locator("main dl dt").allTextContents()).toEqual(["Accuracy", "Helpful?", "Notes"]);
    await a.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Submitted" }).click();
    await a.page.getByText("Passed review").waitFor();
    await screenshot(a.page, "submitted");
    await a.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Work queues" }).click();
  });

  it("shows the reviewer the reviews she gave, each with its verdict", async () => {
    await r.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Submitted" }).click();
    const returned = r.page.locator("main li").filter({ hasText: "You returned it" });
    await returned.getByText("Your comment: Check the arrival time against the timetable.").waitFor();
    await r.page.locator("main li").filter({ hasText: "You passed it" }).first().waitFor();
    expect(await r.page.getByText("Nothing submitted yet.").count()).toBe(0);
  });

  it("lists my claims with time left on the queue page", async () => {
    await mustClaim(q, alice, "evaluate");
    await a.page.reload();
    await card(a, "evaluate").getByRole("link", { name: "Continue" }).waitFor();
    await card(a, "evaluate").getByText(/^\d+:\d\d$/).first().waitFor();
    await a.page.getByRole("button", { name: "Not now" }).click();
    await screenshot(a.page, "queue-with-claim");
  });

  it("never shows one person's draft to the next one signed in on the same browser", async () => {
    const shared = await t.open("/login");
    shared.allow = /status of 409/; // a heartbeat racing the revoke
    const signIn = async (who: TestUser) => {
      await shared.page.getByLabel("Email").fill(who.email);
      await shared.page.getByLabel("Password").fill(FACTORY_PASSWORD);
      await shared.page.getByRole("button", { name: "Sign in" }).click();
      await shared.page.waitForURL((u) => !u.pathname.startsWith("/login"));
    };
    const [taskId] = await importTasks(q, [{ payload: { input: "Shared-browser task", output: "An answer." } }]);

    // Bob types notes, loses the claim to the Owner, and signs out.
    await signIn(bob);
    const bobs = await mustClaim(q, bob, "evaluate", taskId);
    await shared.page.goto(`/work/claims/${bobs.id}?project=${q.project.id}`);
    await shared.page.getByLabel("Notes").fill("Bob's notes, not for anyone else");
    expect((await client(t.url, q.owner.token).post(`/api/claims/${bobs.id}/revoke`)).status).toBe(204);
    await shared.page.getByTestId("claim-lost").waitFor();
    await shared.page.locator("button.account").click();
    await shared.page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
    await shared.page.waitForURL(/\/login/);

    // Alice signs in on the same browser and is given that task: an empty form.
    await signIn(alice);
    const alices = await mustClaim(q, alice, "evaluate", taskId);
    await shared.page.goto(`/work/claims/${alices.id}?project=${q.project.id}`);
    expect(await shared.page.getByLabel("Notes").inputValue()).toBe("");
    const drafts = await shared.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("pipelines.draft.")));
    expect(drafts.filter((k) => k.includes(bob.id))).toEqual([]); // his sign-out took his drafts
  });
});
