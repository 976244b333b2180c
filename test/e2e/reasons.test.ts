// Why claiming is not possible, said before trying: outside the work schedule
// (with when it opens), the claim limit reached.
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateForm, importTasks, mustClaim, queueProject, type QueueProject } from "../helpers/queue";
import { e2eApp } from "./suite";

const t = e2eApp();
let q: QueueProject;

// A one-hour window two days from now (UTC): closed today, whatever the time.
const todayIso = new Date().getUTCDay() || 7; // schedules count 1 = Monday … 7 = Sunday
const isoDay = ((todayIso + 1) % 7) + 1;

beforeAll(async () => {
  q = await queueProject(t.deps, t.url, {
    lanes: [
      { name: "Night shift", claimLimit: 3, schedule: { timezone: "UTC", windows: [{ days: [isoDay], start: "02:00", end: "03:00" }], exceptions: [] } },
      { name: "Solo", claimLimit: 1 },
    ],
    nodes: [
      { key: "night", kind: "task", name: "Night review", form: evaluateForm },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  await importTasks(q, [{ payload: { input: "a" } }, { payload: { input: "b" } }]);
});

describe("reasons before claiming", () => {
  it("outside the schedule, with when it opens", async () => {
    const tab = await t.open("/work", { token: q.types["Night shift"]!.people[0]!.token });
    const card = tab.page.locator("article", { hasText: "Night review" });
    await card.getByText(/Outside your work schedule\. Opens .*(at|,) .*\d/).waitFor();
    expect(await card.getByRole("button", { name: "Claim next" }).isDisabled()).toBe(true);
  });

  it("the claim limit reached", async () => {
    const solo = q.types.Solo!.people[0]!;
    await mustClaim(q, solo, "night");
    const tab = await t.open("/work", { token: solo.token });
    const card = tab.page.locator("article", { hasText: "Night review" });
    await card.getByText("You hold as many claims as your type allows. Finish or release one first.").waitFor();
    expect(await card.getByRole("button", { name: "Claim next" }).isDisabled()).toBe(true);
    await card.getByRole("link", { name: "Continue" }).waitFor();
  });
});
