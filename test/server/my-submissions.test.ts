// GET /api/me/submissions: what I submitted, evaluations and reviews alike,
// newest first (`kind` tells them apart; `?kind=` keeps one), paged by keyset on
// (createdAt, kind, id) so a page boundary never repeats or skips an item, even
// among items of the same instant. Only my own: never another reviewer's review.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import type { TestUser } from "../helpers/factories";
import { client, type Res } from "../helpers/http";
import { evaluateForm, goodAnswers, importTasks, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
});
afterAll(() => t.close());

type Item = { kind: "evaluation" | "review"; id: string; createdAt: string; [k: string]: unknown };

// One type works both nodes: alice and bob evaluate, and review each other's work.
async function crossReviewed() {
  const q = await queueProject(t.deps, t.url, {
    lanes: [{ name: "Evaluators", claimLimit: 5, people: 3 }],
    nodes: [
      { key: "evaluate", kind: "task", name: "Evaluate", form: evaluateForm },
      { key: "review", kind: "review", name: "Second look", reviews: "evaluate" },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  const [alice, bob, carol] = q.types.Evaluators!.people as [TestUser, TestUser, TestUser];
  await importTasks(q, Array.from({ length: 6 }, (_, n) => ({ payload: { n } })));
  // The return comes last, so no rework is claimed in between.
  const verdicts = [{ verdict: "pass" }, { verdict: "pass" }, { verdict: "return", comment: "Look again at the dates." }];
  for (const v of verdicts) {
    for (const who of [alice, bob]) expect((await submitAs(q, who, await mustClaim(q, who, "evaluate"), { answers: goodAnswers })).status).toBe(201);
    // Each reviews the other's latest (never their own: the queue skips it).
    for (const who of [alice, bob]) {
      const r = await submitAs(q, who, await mustClaim(q, who, "review"), v);
      expect(r.status, r.text).toBe(201);
    }
  }
  return { q, alice, bob, carol };
}

async function all(who: TestUser, limit: number, extra = ""): Promise<Item[]> {
  const seen: Item[] = [];
  let cursor: string | null = "";
  while (cursor !== null) {
    const r: Res = await client(t.url, who.token).get(`/api/me/submissions?limit=${limit}${extra}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...r.body.items);
    cursor = r.body.nextCursor;
  }
  return seen;
}

const order = (a: Item, b: Item) => b.createdAt.localeCompare(a.createdAt) || b.kind.localeCompare(a.kind) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe("GET /api/me/submissions", () => {
  it("lists a reviewer's own reviews beside their evaluations, never another's", async () => {
    const { q, alice, bob, carol } = await crossReviewed();
    const mine = await all(alice, 200);
    expect(mine.map((i) => i.kind).sort()).toEqual(["evaluation", "evaluation", "evaluation", "review", "review", "review"]);
    expect([...mine].sort(order)).toEqual(mine); // newest first

    const reviews = await t.deps.db.review.findMany({ where: { userId: alice.id }, orderBy: { createdAt: "asc" } });
    const listed = mine.filter((i) => i.kind === "review");
    expect(listed.map((i) => i.id).sort()).toEqual(reviews.map((r) => r.id).sort());
    const returned = reviews.find((r) => r.verdict === "return")!;
    expect(listed.find((i) => i.id === returned.id)).toEqual({
      kind: "review",
      id: returned.id,
      projectId: q.project.id,
      taskId: returned.taskId,
      nodeId: q.node("review"),
      nodeName: "Second look",
      submissionId: returned.submissionId,
      verdict: "return",
      comment: "Look again at the dates.",
      round: 1,
      createdAt: returned.createdAt.toISOString(),
    });
    // Her evaluations carry the outcome of bob's review of them, as before.
    const evaluations = mine.filter((i) => i.kind === "evaluation");
    expect(evaluations.map((e) => (e.review as { verdict: string }).verdict).sort()).toEqual(["pass", "pass", "return"]);
    expect(evaluations[0]).toMatchObject({ nodeId: q.node("evaluate"), nodeName: "Evaluate", answers: goodAnswers, attempt: 1 });

    // Bob's reviews are his: none of them is in alice's list, all are in his.
    const bobs = await t.deps.db.review.findMany({ where: { userId: bob.id } });
    expect(mine.some((i) => bobs.some((r) => r.id === i.id))).toBe(false);
    expect((await all(bob, 200)).filter((i) => i.kind === "review").map((i) => i.id).sort()).toEqual(bobs.map((r) => r.id).sort());
    // Carol did nothing.
    expect(await all(carol, 200)).toEqual([]);
  });

  it("says which returned evaluation waits for my rework now (reworkWaiting), and only while it does", async () => {
    const { q, alice } = await crossReviewed();
    const waiting = async () =>
      (await all(alice, 200)).filter((i) => i.kind === "evaluation" && i.reworkWaiting).map((i) => i.id as string);
    const evaluations = (await all(alice, 200)).filter((i) => i.kind === "evaluation");
    expect(evaluations.every((e) => typeof e.reworkWaiting === "boolean")).toBe(true);
    const returned = evaluations.find((e) => (e.review as { verdict: string }).verdict === "return")!;
    expect(await waiting()).toEqual([returned.id]);
    expect((await all(alice, 200)).filter((i) => i.kind === "review").some((r) => "reworkWaiting" in r)).toBe(false);

    // In her hands: no longer waiting; released, it waits again.
    const held = await mustClaim(q, alice, "evaluate", returned.taskId as string);
    expect(await waiting()).toEqual([]);
    expect((await client(t.url, alice.token).delete(`/api/claims/${held.id}`, { token: held.token })).status).toBe(204);
    expect(await waiting()).toEqual([returned.id]);
    // Cancelled by an Owner: nothing waits; reopened, it does again.
    const owner = client(t.url, q.owner.token);
    expect((await owner.patch(`/api/tasks/${returned.taskId}`, { status: "cancelled" })).status).toBe(200);
    expect(await waiting()).toEqual([]);
    expect((await owner.patch(`/api/tasks/${returned.taskId}`, { status: "queued" })).status).toBe(200);
    expect(await waiting()).toEqual([returned.id]);
    // Reworked: the new evaluation waits for review, neither waits for her.
    const again = await mustClaim(q, alice, "evaluate", returned.taskId as string);
    expect((await submitAs(q, alice, again, { answers: goodAnswers })).status).toBe(201);
    expect(await waiting()).toEqual([]);
  });

  it("keeps one kind with ?kind=, and refuses an unknown kind or a bad cursor", async () => {
    const { alice } = await crossReviewed();
    const reviews = await all(alice, 2, "&kind=review");
    expect(reviews.map((i) => i.kind)).toEqual(["review", "review", "review"]);
    const evaluations = await all(alice, 2, "&kind=evaluation");
    expect(evaluations.map((i) => i.kind)).toEqual(["evaluation", "evaluation", "evaluation"]);
    const me = client(t.url, alice.token);
    const bad = await me.get("/api/me/submissions?kind=comment");
    expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_request"]);
    expect((await me.get("/api/me/submissions?project=x")).status).toBe(400);
    const garbage = await me.get("/api/me/submissions?cursor=garbage");
    expect([garbage.status, garbage.body.error.code]).toEqual([400, "invalid_request"]);
    // A cursor of another list (a date and an id, with no kind) is refused too.
    const foreign = Buffer.from(JSON.stringify([{ d: new Date().toISOString() }, "some-id"])).toString("base64url");
    expect((await me.get(`/api/me/submissions?cursor=${foreign}`)).status).toBe(400);
  });

  it("pages across both kinds with no repeat and no gap, at any page size, even when all share one instant", async () => {
    const { alice } = await crossReviewed();
    const whole = await all(alice, 200);
    for (const limit of [1, 2, 4, 5]) expect(await all(alice, limit)).toEqual(whole);

    // The same instant for everything: the order (and the pages) still hold, by kind then id.
    const at = new Date("2026-01-01T00:00:00.000Z");
    await t.deps.db.submission.updateMany({ where: { userId: alice.id }, data: { createdAt: at } });
    await t.deps.db.review.updateMany({ where: { userId: alice.id }, data: { createdAt: at } });
    const tied = await all(alice, 200);
    expect(tied.map((i) => i.kind)).toEqual(["review", "review", "review", "evaluation", "evaluation", "evaluation"]);
    expect([...tied].sort(order)).toEqual(tied);
    for (const limit of [1, 2, 4]) expect(await all(alice, limit)).toEqual(tied);
  });
});
