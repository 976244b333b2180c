// The inbox: stored notifications, the unread count, marking read, and the live
// push of each new one to the person's sockets (on every tab they have open).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notify, type NewNotification } from "../../server/src/modules/notifications/service";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { client } from "../helpers/http";
import { connect } from "../helpers/socket";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workers: true });
});
afterAll(() => t.close());

const item = (userId: string, orgId: string, i: number): NewNotification => ({
  userId,
  orgId,
  type: "review_ready",
  title: `Ready ${i}`,
  body: `Task ${i} waits for review.`,
  link: `/projects/p/queue?node=n${i}`,
});

describe("notifications", () => {
  it("pushes a new notification to every socket of its person, and only theirs", async () => {
    const w = await createWorld(t.deps);
    const tab1 = await connect(t.url, w.contributor.token);
    const tab2 = await connect(t.url, w.contributor.token);
    const someoneElse = await connect(t.url, w.viewer.token);
    await notify(t.deps, [item(w.contributor.id, w.org.id, 1)]);
    for (const tab of [tab1, tab2]) {
      const n = await tab.waitFor("notification");
      expect(n).toEqual({
        id: expect.any(String),
        type: "review_ready",
        title: "Ready 1",
        body: "Task 1 waits for review.",
        link: "/projects/p/queue?node=n1",
        createdAt: expect.any(String),
      });
    }
    // The viewer's own notification arrives; the contributor's never did.
    await notify(t.deps, [item(w.viewer.id, w.org.id, 2)]);
    await someoneElse.waitFor("notification", (n) => n.title === "Ready 2");
    expect(someoneElse.of("notification").map((n) => n.title)).toEqual(["Ready 2"]);
    for (const c of [tab1, tab2, someoneElse]) c.close();
  });

  it("keeps them in an inbox, newest first, with the unread count and pages", async () => {
    const w = await createWorld(t.deps);
    // Stored a minute apart, so "newest first" has one answer.
    const base = Date.parse("2026-05-01T08:00:00Z");
    for (let i = 1; i <= 5; i++)
      await t.deps.db.notification.create({ data: { ...item(w.contributor.id, w.org.id, i), createdAt: new Date(base + i * 60_000) } });
    const me = client(t.url, w.contributor.token);
    const p1 = await me.get("/api/me/notifications?limit=3");
    expect(p1.status).toBe(200);
    expect(p1.body.unreadCount).toBe(5);
    expect(p1.body.items.map((n: { title: string }) => n.title)).toEqual(["Ready 5", "Ready 4", "Ready 3"]);
    expect(p1.body.items[0].readAt).toBeNull();
    const p2 = await me.get(`/api/me/notifications?limit=3&cursor=${p1.body.nextCursor}`);
    expect(p2.body.items.map((n: { title: string }) => n.title)).toEqual(["Ready 2", "Ready 1"]);
    expect(p2.body.nextCursor).toBeNull();

    const read = await me.post(`/api/me/notifications/${p1.body.items[0].id}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: p1.body.items[0].id, readAt: expect.any(String), unreadCount: 4 });
    const unread = await me.get("/api/me/notifications?unread=true");
    expect(unread.body.items.map((n: { title: string }) => n.title)).toEqual(["Ready 4", "Ready 3", "Ready 2", "Ready 1"]);

    const all = await me.post("/api/me/notifications/read-all");
    expect(all.body).toEqual({ updated: 4, unreadCount: 0 });
    expect((await me.get("/api/me/notifications")).body.unreadCount).toBe(0);
  });

  it("tells every signed-in tab of the person when notifications are read, with the unread count", async () => {
    const w = await createWorld(t.deps);
    await notify(t.deps, [1, 2, 3].map((i) => item(w.contributor.id, w.org.id, i)));
    const tab1 = await connect(t.url, w.contributor.token);
    const tab2 = await connect(t.url, w.contributor.token);
    const someoneElse = await connect(t.url, w.viewer.token);
    const me = client(t.url, w.contributor.token);
    const [first] = (await me.get("/api/me/notifications")).body.items;

    expect((await me.post(`/api/me/notifications/${first.id}/read`)).status).toBe(200);
    for (const tab of [tab1, tab2]) expect(await tab.waitFor("notifications:read")).toEqual({ ids: [first.id], unreadCount: 2 });
    // Read again: nothing changed, nothing sent.
    expect((await me.post(`/api/me/notifications/${first.id}/read`)).status).toBe(200);
    expect((await me.post("/api/me/notifications/read-all")).body).toEqual({ updated: 2, unreadCount: 0 });
    for (const tab of [tab1, tab2]) {
      await tab.waitFor("notifications:read", (e) => e.ids === null);
      expect(tab.of("notifications:read")).toEqual([
        { ids: [first.id], unreadCount: 2 },
        { ids: null, unreadCount: 0 },
      ]);
    }
    // Nothing left to read: nothing sent; and nobody else heard any of it.
    expect((await me.post("/api/me/notifications/read-all")).body).toEqual({ updated: 0, unreadCount: 0 });
    await notify(t.deps, [item(w.contributor.id, w.org.id, 4)]);
    await tab1.waitFor("notification", (n) => n.title === "Ready 4");
    expect(tab1.of("notifications:read")).toHaveLength(2);
    expect(someoneElse.of("notifications:read")).toEqual([]);
    for (const c of [tab1, tab2, someoneElse]) c.close();
  });

  it("after an API key reads its org's, the signed-in tabs hear how many are still unread in other orgs", async () => {
    const w = await createWorld(t.deps);
    await t.deps.db.orgMember.create({ data: { orgId: w.other.org.id, userId: w.admin.id, role: "member" } });
    await notify(t.deps, [item(w.admin.id, w.org.id, 1), item(w.admin.id, w.other.org.id, 2)]);
    const key = (await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/api-keys`, { name: "bot" })).body.key;
    const tab = await connect(t.url, w.admin.token);
    expect((await client(t.url, key).post("/api/me/notifications/read-all")).body).toEqual({ updated: 1, unreadCount: 0 });
    expect(await tab.waitFor("notifications:read")).toEqual({ ids: null, unreadCount: 1 });
    tab.close();
  });

  it("answers 404 for another person's notification and leaves it unread", async () => {
    const w = await createWorld(t.deps);
    await notify(t.deps, [item(w.contributor.id, w.org.id, 1)]);
    const [mine] = (await client(t.url, w.contributor.token).get("/api/me/notifications")).body.items;
    const res = await client(t.url, w.admin.token).post(`/api/me/notifications/${mine.id}/read`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect((await client(t.url, w.contributor.token).get("/api/me/notifications")).body.unreadCount).toBe(1);
    expect((await client(t.url, w.admin.token).get("/api/me/notifications")).body.items).toEqual([]);
  });
});
