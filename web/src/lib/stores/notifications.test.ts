// The unread count when a live notification crosses a read: the server's answer
// counts the notifications created up to `countedUpTo`, so a push created after it
// is added on top, and one created before it (maybe counted, maybe already read)
// makes the store read the inbox again. Against a real local HTTP server that
// answers when the test says, in the order the test sets.
import { afterEach, describe, expect, it } from "vitest";
import type { Notification } from "../api/types";
import { apiServer } from "../testing/api-server";
import { notifications } from "./notifications.svelte";
import { toasts } from "./toasts.svelte";

const at = (min: number) => new Date(Date.parse("2026-05-01T08:00:00Z") + min * 60_000).toISOString();
const note = (id: string, min: number, readAt: string | null = null): Notification => ({
  id,
  type: "review_ready",
  title: `Note ${id}`,
  body: "A task waits.",
  link: "",
  createdAt: at(min),
  readAt,
});

/** What GET /api/me/notifications answers now (the server's truth for a re-read). */
let inbox: { items: Notification[]; nextCursor: null; unreadCount: number; countedUpTo: string | null };
let inboxReads = 0;
/** Posts wait here until the test answers them. */
const held: Array<{ url: string; answer: (body: unknown) => void }> = [];

apiServer((req, send) => {
  if (req.method === "GET" && req.url?.startsWith("/api/me/notifications")) {
    inboxReads++;
    return send(200, inbox);
  }
  held.push({ url: req.url ?? "", answer: (body) => send(200, body) });
});
afterEach(() => {
  notifications.stop();
  held.length = 0;
});

/** Starts the store on this inbox and waits for its first read. */
async function startWith(items: Notification[], upToMin: number | null) {
  inbox = { items, nextCursor: null, unreadCount: items.filter((n) => !n.readAt).length, countedUpTo: upToMin === null ? null : at(upToMin) };
  notifications.start();
  await expect.poll(() => notifications.loaded).toBe(true);
}

/** The next held post, once the store has sent it. */
async function nextPost(url: string) {
  await expect.poll(() => held.some((h) => h.url === url)).toBe(true);
  return held.splice(held.findIndex((h) => h.url === url), 1)[0]!;
}

const readState = () => Object.fromEntries(notifications.items.map((n) => [n.id, n.readAt ? "read" : "unread"]));

describe("a read of a digest that grew meanwhile", () => {
  it("stays unread and shows what it grew to when the server says the read came too late for it", async () => {
    const seen = { ...note("d", 1), count: 1, updatedAt: at(1) };
    await startWith([seen], 1);
    const done = notifications.markRead(notifications.items[0]!);
    const post = await nextPost("/api/me/notifications/d/read");
    // A task joined it before the read arrived: the server keeps it unread (the read names updatedAt 1).
    post.answer({ ...seen, count: 2, body: "2 tasks wait.", updatedAt: at(2), unreadCount: 1, countedUpTo: at(1) });
    await done;
    expect(readState()).toEqual({ d: "unread" });
    expect(notifications.items[0]).toMatchObject({ count: 2, body: "2 tasks wait." });
    expect(notifications.unread).toBe(1);
  });
});

describe("the unread count when a push crosses a read", () => {
  it("'mark all read' in flight, a newer notification pushed before its answer: it stays unread and counted", async () => {
    await startWith([note("a", 1)], 1);
    const done = notifications.markAllRead();
    const post = await nextPost("/api/me/notifications/read-all");
    // Stored after the server counted (its answer counts up to a only), pushed before the answer came.
    notifications.receive(note("b", 2));
    post.answer({ updated: 1, unreadCount: 0, countedUpTo: at(1) });
    await done;
    expect(notifications.unread).toBe(1);
    expect(readState()).toEqual({ a: "read", b: "unread" });
  });

  it("one read in flight, a newer notification pushed before its answer: the count is not one short", async () => {
    await startWith([note("b", 2), note("a", 1)], 2);
    expect(notifications.unread).toBe(2);
    const done = notifications.markRead(notifications.items.find((n) => n.id === "a")!);
    const post = await nextPost("/api/me/notifications/a/read");
    notifications.receive(note("c", 3));
    post.answer({ ...note("a", 1, at(4)), unreadCount: 1, countedUpTo: at(2) });
    await done;
    expect(notifications.unread).toBe(2);
    expect(readState()).toEqual({ c: "unread", b: "unread", a: "read" });
  });

  it("a push arriving after the answer of a read that already covered it: the inbox is read again, not counted twice", async () => {
    await startWith([note("a", 1)], 1);
    const done = notifications.markAllRead();
    const post = await nextPost("/api/me/notifications/read-all");
    // b was stored before the read: the server marked it read too, and counted up to it.
    inbox = { items: [note("b", 2, at(3)), note("a", 1, at(3))], nextCursor: null, unreadCount: 0, countedUpTo: at(2) };
    post.answer({ updated: 2, unreadCount: 0, countedUpTo: at(2) });
    await done;
    const reads = inboxReads;
    notifications.receive(note("b", 2));
    await expect.poll(() => inboxReads).toBe(reads + 1);
    await expect.poll(() => notifications.unread).toBe(0);
    expect(readState()).toEqual({ b: "read", a: "read" });
  });

  it("a read in another tab told after a newer push: that push stays counted", async () => {
    await startWith([note("a", 1)], 1);
    notifications.receive(note("b", 2));
    expect(notifications.unread).toBe(2);
    // Counted before b was stored, heard after b's push.
    notifications.readElsewhere({ ids: ["a"], unreadCount: 0, countedUpTo: at(1) });
    expect(notifications.unread).toBe(1);
    expect(readState()).toEqual({ b: "unread", a: "read" });
  });

  it("a read counted after a later notification committed but before a pushed earlier one did: the inbox is read again", async () => {
    await startWith([note("a", 1)], 1);
    // y (created at 3) and x (created at 2, its transaction slower) both pushed: counted on top.
    notifications.receive(note("y", 3));
    notifications.receive(note("x", 2));
    expect(notifications.unread).toBe(3);
    // Another tab read a; its count ran once y had committed and before x had: y in it, x not.
    inbox = { items: [note("y", 3), note("x", 2), note("a", 1, at(4))], nextCursor: null, unreadCount: 2, countedUpTo: at(3) };
    const reads = inboxReads;
    notifications.readElsewhere({ ids: ["a"], unreadCount: 1, countedUpTo: at(3) });
    await expect.poll(() => inboxReads).toBe(reads + 1);
    await expect.poll(() => notifications.unread).toBe(2);
    expect(readState()).toEqual({ y: "unread", x: "unread", a: "read" });
  });

  it("the same through a read's own answer: x pushed while the read was on its way is not dropped from the count", async () => {
    await startWith([note("a", 1)], 1);
    const done = notifications.markRead(notifications.items.find((n) => n.id === "a")!);
    const post = await nextPost("/api/me/notifications/a/read");
    notifications.receive(note("x", 2));
    inbox = { items: [note("y", 3, at(3)), note("x", 2), note("a", 1, at(4))], nextCursor: null, unreadCount: 1, countedUpTo: at(3) };
    const reads = inboxReads;
    // Counted once y (read at once elsewhere) had committed, before x had.
    post.answer({ ...note("a", 1, at(4)), unreadCount: 0, countedUpTo: at(3) });
    await done;
    await expect.poll(() => inboxReads).toBe(reads + 1);
    await expect.poll(() => notifications.unread).toBe(1);
  });

  it("an older count heard after a newer one does not win (reads only lower a count)", async () => {
    await startWith([note("b", 2), note("a", 1)], 2);
    const done = notifications.markRead(notifications.items.find((n) => n.id === "a")!);
    const post = await nextPost("/api/me/notifications/a/read");
    post.answer({ ...note("a", 1, at(4)), unreadCount: 0, countedUpTo: at(2) });
    await done;
    // Another tab read b before this read of a, and its word comes last.
    notifications.readElsewhere({ ids: ["b"], unreadCount: 1, countedUpTo: at(2) });
    expect(notifications.unread).toBe(0);
    expect(readState()).toEqual({ b: "read", a: "read" });
  });

  it("a notification pushed while nothing crosses is counted once, and read once", async () => {
    await startWith([], null);
    const reads = inboxReads;
    notifications.receive(note("a", 1));
    notifications.receive(note("a", 1));
    expect(notifications.unread).toBe(1);
    const done = notifications.markRead(notifications.items[0]!);
    expect(notifications.unread).toBe(0);
    (await nextPost("/api/me/notifications/a/read")).answer({ ...note("a", 1, at(2)), unreadCount: 0, countedUpTo: at(1) });
    await done;
    expect(notifications.unread).toBe(0);
    expect(inboxReads).toBe(reads);
  });
});

/** The digest `id` (created at `createdMin`) as pushed again after more tasks arrived. */
const grown = (id: string, createdMin: number, updatedMin: number, count: number): Notification => ({
  ...note(id, createdMin),
  body: `${count} tasks reached review.`,
  count,
  updatedAt: at(updatedMin),
});
const toastsOf = (id: string) => toasts.items.filter((t) => t.noteId === id).length;

describe("a push for a notification already here (a review digest that grew)", () => {
  afterEach(() => {
    toasts.clear();
    notifications.now = () => Date.now();
  });

  it("updates it in place and moves it to the top, without counting it again or reading the inbox again", async () => {
    await startWith([note("b", 2), note("a", 1)], 2);
    const reads = inboxReads;
    notifications.receive(grown("a", 1, 3, 2));
    expect(notifications.unread).toBe(2);
    expect(notifications.items.map((n) => [n.id, n.count ?? 1])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    expect(notifications.items[0]!.body).toBe("2 tasks reached review.");
    expect(inboxReads).toBe(reads);
  });

  it("one pushed since the last count is counted once however often it grows", async () => {
    await startWith([note("a", 1)], 1);
    notifications.receive(note("b", 2));
    notifications.receive(grown("b", 2, 3, 2));
    notifications.receive(grown("b", 2, 4, 3));
    expect(notifications.unread).toBe(2);
    expect(notifications.items.map((n) => n.id)).toEqual(["b", "a"]);
  });

  it("an older or repeated push of it changes nothing", async () => {
    await startWith([note("a", 1)], 1);
    notifications.receive(grown("a", 1, 5, 3));
    notifications.receive(grown("a", 1, 4, 2));
    notifications.receive(grown("a", 1, 5, 3));
    expect(notifications.items.map((n) => n.count)).toEqual([3]);
    expect(notifications.unread).toBe(1);
  });

  it("read here, it stays read when a push of an earlier growth comes after (the server grew it before the read)", async () => {
    await startWith([note("a", 1)], 1);
    const done = notifications.markRead(notifications.items[0]!);
    (await nextPost("/api/me/notifications/a/read")).answer({ ...grown("a", 1, 2, 2), readAt: at(3), unreadCount: 0, countedUpTo: at(1) });
    await done;
    toasts.clear();
    notifications.receive(grown("a", 1, 2, 2));
    expect(readState()).toEqual({ a: "read" });
    expect(notifications.unread).toBe(0);
    expect(toastsOf("a")).toBe(0);
  });

  it("an inbox read that crossed its growth keeps the newer one", async () => {
    await startWith([note("a", 1)], 1);
    const loading = notifications.load();
    notifications.receive(grown("a", 1, 2, 2)); // the server still answers count 1 below
    await loading;
    expect(notifications.items.map((n) => n.count)).toEqual([2]);
    expect(notifications.unread).toBe(1);
  });

  it("toasts it at most once a minute while it grows; a new notification for the same node toasts at once", async () => {
    let now = 1_000_000;
    notifications.now = () => now;
    await startWith([], null);
    notifications.receive(note("a", 1));
    expect(toastsOf("a")).toBe(1);
    now += 10_000;
    notifications.receive(grown("a", 1, 2, 2));
    now += 40_000;
    notifications.receive(grown("a", 1, 3, 3));
    expect(toastsOf("a")).toBe(1);
    expect(notifications.items[0]!.count).toBe(3);
    now += 10_001; // a minute after its last toast
    notifications.receive(grown("a", 1, 4, 4));
    expect(toastsOf("a")).toBe(2);
    // After a read the next arrival is a new notification (a new id): told at once.
    notifications.receive(note("b", 5));
    expect(toastsOf("b")).toBe(1);
    expect(notifications.unread).toBe(2);
  });
});

describe("two growths of one digest in the same millisecond", () => {
  it("takes the higher count", async () => {
    await startWith([note("a", 1)], 1);
    notifications.receive(grown("a", 1, 2, 2));
    notifications.receive(grown("a", 1, 2, 3));
    notifications.receive(grown("a", 1, 2, 2));
    expect(notifications.items.map((n) => n.count)).toEqual([3]);
  });
});
