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
