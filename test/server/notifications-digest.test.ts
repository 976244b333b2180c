// review_ready is a digest: one unread notification per (reviewer, review node)
// that every task reaching the node updates (its count, its latest task, its
// updatedAt), until the reviewer reads it; the next arrival then starts a new one.
// Two app instances share PostgreSQL here, each with its own triggers, so their
// writes race the way separate server processes do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { notify } from "../../server/src/modules/notifications/service";
import { startNotificationTriggers, type NotificationTriggers } from "../../server/src/modules/notifications/triggers";
import { startRealtimeBridge } from "../../server/src/realtime/bridge";
import { startTestApp, type TestApp } from "../helpers/app";
import { createOrg, createUser } from "../helpers/factories";
import { client } from "../helpers/http";
import { goodAnswers, importTasks, mustClaim, queueProject, type QueueProject } from "../helpers/queue";
import { connect } from "../helpers/socket";

// A Monday, 10:00 UTC.
const clock = new ManualClock("2026-06-01T10:00:00Z");

let one: TestApp;
let two: TestApp;
let triggers: NotificationTriggers[];
let stopBridge: () => Promise<void>;
beforeAll(async () => {
  [one, two] = await Promise.all([startTestApp({ clock }), startTestApp({ clock })]);
  triggers = [startNotificationTriggers(one.deps), startNotificationTriggers(two.deps)];
  stopBridge = startRealtimeBridge(one.deps, one.app.realtime);
});
afterAll(async () => {
  for (const x of triggers) await x.stop();
  await stopBridge();
  await Promise.all([one.close(), two.close()]);
});

const idle = () => Promise.all(triggers.map((x) => x.idle()));
const rows = (userId: string, nodeId?: string) =>
  one.deps.db.notification.findMany({ where: { userId, type: "review_ready", ...(nodeId ? { link: { endsWith: `node=${nodeId}` } } : {}) }, orderBy: { createdAt: "asc" } });

/** A task reached the review node, as the claim engine announces it after its commit (on instance `via`). */
function arrive(q: QueueProject, taskId: string, via: TestApp = one) {
  via.deps.bus.publish({ type: "task.moved", orgId: q.org.id, projectId: q.project.id, pipelineId: q.pipeline.id, taskId, nodeId: q.node("review"), fromNodeId: q.node("evaluate") });
}

describe("review_ready is one notification per reviewer and node while unread", () => {
  it("20 submissions at once through two instances: one unread notification per reviewer, counting 20", async () => {
    const q = await queueProject(one.deps, one.url, {
      lanes: [
        { name: "Evaluators", claimLimit: 3, people: 7 },
        { name: "Reviewers", claimLimit: 3, people: 2 },
      ],
    });
    const evaluators = q.types.Evaluators!.people;
    const taskIds = await importTasks(q, Array.from({ length: 20 }, (_, n) => ({ payload: { n } })));
    const held = [];
    for (let i = 0; i < 20; i++) held.push({ who: evaluators[i % 7]!, claim: await mustClaim(q, evaluators[i % 7]!, "evaluate") });
    const answers = await Promise.all(
      held.map(({ who, claim }, i) => client(i % 2 ? two.url : one.url, who.token).post(`/api/claims/${claim.id}/submit`, { token: claim.token, answers: goodAnswers })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(201));
    await idle();

    for (const r of q.types.Reviewers!.people) {
      const mine = await rows(r.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ readAt: null, count: 20, title: "Ready for review: Review" });
      expect(mine[0]!.body).toContain("20 tasks");
      expect(taskIds).toContain((mine[0]!.data as { taskId: string }).taskId);
    }
    for (const e of evaluators) expect(await rows(e.id)).toEqual([]);
  });

  it("an arrival updates the unread one and pushes it again with its count; createdAt (what the unread count counted) stays", async () => {
    const q = await queueProject(one.deps, one.url);
    const [rita] = q.types.Reviewers!.people;
    const [t1, t2, t3] = await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    const tab = await connect(one.url, rita!.token);
    const me = client(one.url, rita!.token);

    arrive(q, t1!);
    const first = await tab.waitFor("notification");
    expect(first).toMatchObject({ type: "review_ready", count: 1, body: expect.stringContaining("A task") });
    expect(first.updatedAt).toBe(first.createdAt);
    const counted = (await me.get("/api/me/notifications")).body;
    expect(counted).toMatchObject({ unreadCount: 1, countedUpTo: first.createdAt });

    // Something else arrives between the two: the updated digest sorts above it.
    clock.advance(1_000);
    await one.deps.db.notification.create({ data: { userId: rita!.id, orgId: q.org.id, type: "work_returned", title: "Other", body: "x", link: "/", createdAt: clock.now(), updatedAt: clock.now() } });
    clock.advance(1_000);
    arrive(q, t2!, two);
    await idle();
    clock.advance(1_000);
    arrive(q, t3!);
    const third = await tab.waitFor("notification", (n) => n.count === 3);
    expect(third).toMatchObject({ id: first.id, createdAt: first.createdAt, updatedAt: clock.now().toISOString(), body: expect.stringContaining("3 tasks") });

    const inbox = (await me.get("/api/me/notifications")).body;
    expect(inbox.items.map((n: { title: string; count: number }) => [n.title, n.count])).toEqual([
      ["Ready for review: Review", 3],
      ["Other", 1],
    ]);
    // Two rows unread; the mark is the newest row's creation, not the digest's last update.
    expect(inbox).toMatchObject({ unreadCount: 2, countedUpTo: new Date(Date.parse(first.createdAt) + 1_000).toISOString() });
    expect((await rows(rita!.id))[0]!.data).toMatchObject({ taskId: t3, nodeId: q.node("review") });
    tab.close();
  });

  it("once read, the next arrival starts a new notification; the read one keeps its count", async () => {
    const q = await queueProject(one.deps, one.url);
    const [rita] = q.types.Reviewers!.people;
    const [t1, t2, t3] = await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    arrive(q, t1!);
    arrive(q, t2!);
    await idle();
    const [digest] = await rows(rita!.id);
    expect((await client(one.url, rita!.token).post(`/api/me/notifications/${digest!.id}/read`)).status).toBe(200);
    clock.advance(1_000);
    arrive(q, t3!);
    await idle();
    const after = await rows(rita!.id);
    expect(after.map((n) => [n.id, n.count, n.readAt === null])).toEqual([
      [digest!.id, 2, false],
      [after[1]!.id, 1, true],
    ]);
    expect(after[1]!.id).not.toBe(digest!.id);
  });

  it("a read covers what the reader saw: a digest that took in a task after it stays unread, one read up to it is read", async () => {
    const q = await queueProject(one.deps, one.url);
    const [rita] = q.types.Reviewers!.people;
    const [t1, t2, t3] = await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    const as = client(one.url, rita!.token);
    arrive(q, t1!);
    await idle();
    const seen = (await as.get("/api/me/notifications")).body.items[0];
    expect(seen.count).toBe(1);
    clock.advance(1_000);
    arrive(q, t2!); // joins while the read is on its way
    await idle();
    const one1 = await as.post(`/api/me/notifications/${seen.id}/read`, { upTo: seen.updatedAt });
    expect([one1.status, one1.body.readAt, one1.body.count, one1.body.unreadCount]).toEqual([200, null, 2, 1]);
    const all1 = await as.post("/api/me/notifications/read-all", { upTo: seen.updatedAt });
    expect([all1.body.updated, all1.body.unreadCount]).toEqual([0, 1]);
    // Read up to what it now shows: read; the next task starts a new one.
    const now = await as.post(`/api/me/notifications/${seen.id}/read`, { upTo: one1.body.updatedAt });
    expect([now.body.readAt !== null, now.body.unreadCount]).toEqual([true, 0]);
    clock.advance(1_000);
    arrive(q, t3!);
    await idle();
    expect((await rows(rita!.id)).map((n) => [n.count, n.readAt === null])).toEqual([
      [2, false],
      [1, true],
    ]);
    const bad = await as.post(`/api/me/notifications/${seen.id}/read`, { upTo: "yesterday" });
    expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_request"]);
  });

  it("arrivals racing reads on two instances: never two unread for one node, and every arrival counted once", async () => {
    const q = await queueProject(one.deps, one.url);
    const reviewers = q.types.Reviewers!.people;
    const [taskId] = await importTasks(q, [{ payload: { n: 1 } }]);
    let arrivals = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 10; i++, arrivals++) arrive(q, taskId!, i % 2 ? two : one);
      // Meanwhile each reviewer reads what is unread now.
      await Promise.all(
        reviewers.map(async (r) => {
          for (const n of await one.deps.db.notification.findMany({ where: { userId: r.id, readAt: null } })) {
            expect((await client(one.url, r.token).post(`/api/me/notifications/${n.id}/read`)).status).toBe(200);
          }
        }),
      );
      for (const r of reviewers) expect((await one.deps.db.notification.count({ where: { userId: r.id, readAt: null } })) <= 1).toBe(true);
    }
    await idle();
    for (const r of reviewers) {
      const mine = await rows(r.id);
      expect(mine.filter((n) => n.readAt === null).length).toBeLessThanOrEqual(1);
      expect(mine.reduce((s, n) => s + n.count, 0)).toBe(arrivals);
    }
  });

  it("a digest grows only within its org: one key in two orgs makes two notifications", async () => {
    // review_ready's key is a node id (unique anyway); a digest keyed by something shared across orgs must not merge them.
    const person = await createUser(one.deps);
    const [a, b] = [await createOrg(one.deps), await createOrg(one.deps)];
    const digest = { key: "shared-key", text: (n: number) => ({ title: `${n} tasks`, body: `${n} tasks` }) };
    const arrival = (orgId: string) => ({ userId: person.id, orgId, type: "review_ready" as const, title: "1 task", body: "1 task", link: "/", digest });
    await notify(one.deps, [arrival(a.org.id), arrival(b.org.id)]);
    await notify(one.deps, [arrival(a.org.id)]);
    const mine = await one.deps.db.notification.findMany({ where: { userId: person.id }, orderBy: { count: "desc" } });
    expect(mine.map((n) => [n.orgId, n.count])).toEqual([
      [a.org.id, 2],
      [b.org.id, 1],
    ]);
  });

  it("other types are not merged: two returns to one author at one node are two notifications", async () => {
    const q = await queueProject(one.deps, one.url);
    const [alice] = q.types.Evaluators!.people;
    const base = { orgId: q.org.id, projectId: q.project.id, pipelineId: q.pipeline.id, nodeId: q.node("review"), authorId: alice!.id, keptForAuthor: true, userId: alice!.id };
    for (const taskId of await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }])) {
      one.deps.bus.publish({ type: "task.reviewed", ...base, taskId, claimId: taskId, reviewId: taskId, verdict: "return" });
    }
    await idle();
    const mine = await one.deps.db.notification.findMany({ where: { userId: alice!.id } });
    expect(mine.map((n) => [n.type, n.count])).toEqual([
      ["work_returned", 1],
      ["work_returned", 1],
    ]);
  });
});
