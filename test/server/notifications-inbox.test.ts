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
        updatedAt: n.createdAt, // stored, not grown (notifications-digest.test.ts)
        count: 1,
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
      await t.deps.db.notification.create({ data: { ...item(w.contributor.id, w.org.id, i), createdAt: new Date(base + i * 60_000), updatedAt: new Date(base + i * 60_000) } });
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
    expect(all.body).toEqual({ updated: 4, unreadCount: 0, countedUpTo: new Date(base + 5 * 60_000).toISOString() });
    expect((await me.get("/api/me/notifications")).body.unreadCount).toBe(0);
  });

  it("pages on each row's position when the page was read: a digest that grows after its page moves to the top, the next page goes on", async () => {
    const w = await createWorld(t.deps);
    const base = Date.parse("2026-05-01T08:00:00Z");
    // Six unread review digests, one per node, a minute apart.
    for (let i = 1; i <= 6; i++) {
      const at = new Date(base + i * 60_000);
      await t.deps.db.notification.create({ data: { ...item(w.contributor.id, w.org.id, i), groupKey: `n${i}`, createdAt: at, updatedAt: at } });
    }
    const me = client(t.url, w.contributor.token);
    const titles = (r: { body: { items: Array<{ title: string }> } }) => r.body.items.map((n) => n.title);
    const p1 = await me.get("/api/me/notifications?limit=3");
    expect(titles(p1)).toEqual(["Ready 6", "Ready 5", "Ready 4"]);
    // The last row of the page grows (another task reached its node): its updatedAt moves to now.
    const grown = await notify(t.deps, [{ ...item(w.contributor.id, w.org.id, 4), digest: { key: "n4", text: (n) => ({ title: `Ready 4 (${n})`, body: "" }) } }]);
    expect(grown).toBe(1);
    const p2 = await me.get(`/api/me/notifications?limit=3&cursor=${p1.body.nextCursor}`);
    expect(p2.status, p2.text).toBe(200);
    expect(titles(p2)).toEqual(["Ready 3", "Ready 2", "Ready 1"]);
    expect(p2.body.nextCursor).toBeNull();
    expect(titles(await me.get("/api/me/notifications?limit=3"))).toEqual(["Ready 4 (2)", "Ready 6", "Ready 5"]);
    // A cursor is the inbox's own: anything else (a bare notification id, another list's) is refused.
    for (const bad of ["garbage", p1.body.items[2].id, Buffer.from(JSON.stringify([5, "x"])).toString("base64url")]) {
      const r = await me.get(`/api/me/notifications?cursor=${bad}`);
      expect([r.status, r.body.error?.code]).toEqual([400, "invalid_request"]);
    }
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
    const upTo = first.createdAt; // the newest of the three (one batch, one time)
    for (const tab of [tab1, tab2]) expect(await tab.waitFor("notifications:read")).toEqual({ ids: [first.id], unreadCount: 2, countedUpTo: upTo });
    // Read again: nothing changed, nothing sent.
    expect((await me.post(`/api/me/notifications/${first.id}/read`)).status).toBe(200);
    expect((await me.post("/api/me/notifications/read-all")).body).toEqual({ updated: 2, unreadCount: 0, countedUpTo: upTo });
    for (const tab of [tab1, tab2]) {
      await tab.waitFor("notifications:read", (e) => e.ids === null);
      expect(tab.of("notifications:read")).toEqual([
        { ids: [first.id], unreadCount: 2, countedUpTo: upTo },
        { ids: null, unreadCount: 0, countedUpTo: upTo },
      ]);
    }
    // Nothing left to read: nothing sent; and nobody else heard any of it.
    expect((await me.post("/api/me/notifications/read-all")).body).toEqual({ updated: 0, unreadCount: 0, countedUpTo: upTo });
    await notify(t.deps, [item(w.contributor.id, w.org.id, 4)]);
    await tab1.waitFor("notification", (n) => n.title === "Ready 4");
    expect(tab1.of("notifications:read")).toHaveLength(2);
    expect(someoneElse.of("notifications:read")).toEqual([]);
    for (const c of [tab1, tab2, someoneElse]) c.close();
  });

  it("after an API key reads its org's, the signed-in tabs hear how many are still unread in other orgs", async () => {
    const w = await createWorld(t.deps);
    await t.deps.db.orgMember.create({ data: { orgId: w.other.org.id, userId: w.admin.id, role: "member" } });
    // The other org's is the newer: the key's count stops at its own org's, the tabs' at the other's.
    const at = (min: number) => new Date(Date.parse("2026-05-01T08:00:00Z") + min * 60_000);
    await t.deps.db.notification.create({ data: { ...item(w.admin.id, w.org.id, 1), createdAt: at(1), updatedAt: at(1) } });
    await t.deps.db.notification.create({ data: { ...item(w.admin.id, w.other.org.id, 2), createdAt: at(2), updatedAt: at(2) } });
    const key = (await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/api-keys`, { name: "bot" })).body.key;
    const tab = await connect(t.url, w.admin.token);
    expect((await client(t.url, key).post("/api/me/notifications/read-all")).body).toEqual({ updated: 1, unreadCount: 0, countedUpTo: at(1).toISOString() });
    expect(await tab.waitFor("notifications:read")).toEqual({ ids: null, unreadCount: 1, countedUpTo: at(2).toISOString() });
    tab.close();
  });

  it("says up to which notification each count counted (the newest stored then), so a client can tell a later one from a counted one", async () => {
    const w = await createWorld(t.deps);
    const me = client(t.url, w.contributor.token);
    expect((await me.get("/api/me/notifications")).body).toMatchObject({ unreadCount: 0, countedUpTo: null });
    const at = (min: number) => new Date(Date.parse("2026-05-01T08:00:00Z") + min * 60_000);
    for (const i of [1, 2]) await t.deps.db.notification.create({ data: { ...item(w.contributor.id, w.org.id, i), createdAt: at(i), updatedAt: at(i) } });
    const inbox = await me.get("/api/me/notifications");
    expect(inbox.body).toMatchObject({ unreadCount: 2, countedUpTo: at(2).toISOString() });

    const tab = await connect(t.url, w.contributor.token);
    const older = inbox.body.items[1].id;
    expect((await me.post(`/api/me/notifications/${older}/read`)).body).toMatchObject({ id: older, unreadCount: 1, countedUpTo: at(2).toISOString() });
    expect(await tab.waitFor("notifications:read")).toEqual({ ids: [older], unreadCount: 1, countedUpTo: at(2).toISOString() });

    // Read ones count for the mark too: it is the newest stored, read or not.
    await t.deps.db.notification.create({ data: { ...item(w.contributor.id, w.org.id, 3), createdAt: at(3), updatedAt: at(3), readAt: at(3) } });
    expect((await me.post("/api/me/notifications/read-all")).body).toEqual({ updated: 1, unreadCount: 0, countedUpTo: at(3).toISOString() });
    await tab.waitFor("notifications:read", (e) => e.ids === null);
    expect(tab.of("notifications:read").at(-1)).toEqual({ ids: null, unreadCount: 0, countedUpTo: at(3).toISOString() });
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
