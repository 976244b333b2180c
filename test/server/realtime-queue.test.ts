// Live queue updates with real clients and real claims: one person's claim
// reaches every watcher, a submission pushes review_ready to the reviewer, a
// burst is coalesced, and a client that dropped converges to the right counts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysOf } from "../../server/src/queue/keys";
import { rooms, type QueueChanged } from "../../server/src/shared/socket-events";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { connect, type LiveClient } from "../helpers/socket";
import { claim, queueScene, submit } from "./realtime.scene";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workers: true });
});
afterAll(() => t.close());

/** The last count this client holds for a node. */
const lastOf = (c: LiveClient, nodeId: string) => c.of("queue:changed").filter((e) => e.nodeId === nodeId).at(-1);
/** The nodes a client holds counts for. */
const nodesOf = (c: LiveClient) => [...new Set(c.of("queue:changed").map((e) => e.nodeId))].sort();
const counts = (available: number, claimed: number) => (e: QueueChanged) => e.available === available && e.claimed === claimed;

describe("live queue", () => {
  it("a watcher sees another person's claim with the node's new counts", async () => {
    const s = await queueScene(t.deps, t.url, 3);
    const bob = await connect(t.url, s.bob.token);
    expect(await bob.subscribe(rooms.queue(s.project.id))).toEqual({ ok: true });
    // The snapshot came before the ack: the nodes an evaluator may work (not the reviewers' node).
    // (A push from a flush or recheck running meanwhile may come first: counts are state.)
    expect(nodesOf(bob)).toEqual([s.evaluate]);
    expect(lastOf(bob, s.evaluate)).toEqual({ projectId: s.project.id, nodeId: s.evaluate, available: 3, claimed: 0 });
    bob.clear();
    // An admin watching the queue sees every work node (the end node has no queue).
    const viewer = await connect(t.url, s.viewer.token);
    await viewer.subscribe(rooms.queue(s.project.id));
    expect(nodesOf(viewer)).toEqual([s.evaluate, s.review].sort());

    const started = performance.now();
    await claim(t.url, s.alice.token, s.project.id, s.evaluate);
    const seen = await bob.waitFor("queue:changed", (e) => e.nodeId === s.evaluate);
    const ms = performance.now() - started;
    expect(seen).toEqual({ projectId: s.project.id, nodeId: s.evaluate, available: 2, claimed: 1 });
    console.info(`claim → watcher's queue:changed: ${ms.toFixed(1)} ms (HTTP claim included)`);
    await viewer.waitFor("queue:changed", (e) => e.nodeId === s.evaluate && e.claimed === 1);
    bob.close();
    viewer.close();
  });

  it("a submission moves the counts on and pushes review_ready to the reviewer, kept in their inbox", async () => {
    const s = await queueScene(t.deps, t.url, 2);
    const watcher = await connect(t.url, s.owner.token);
    await watcher.subscribe(rooms.queue(s.project.id));
    const rita = await connect(t.url, s.rita.token);
    const bob = await connect(t.url, s.bob.token);

    const c = await claim(t.url, s.alice.token, s.project.id, s.evaluate);
    await submit(t.url, s.alice.token, c, { answers: { score: 4 } });

    const n = await rita.waitFor("notification");
    expect(n).toMatchObject({ type: "review_ready", title: "Ready for review: Review", link: `/projects/${s.project.id}/queue?node=${s.review}` });
    const inbox = await client(t.url, s.rita.token).get("/api/me/notifications");
    expect(inbox.body.unreadCount).toBe(1);
    expect(inbox.body.items[0]).toMatchObject({ id: n.id, type: "review_ready", readAt: null });
    await watcher.waitFor("queue:changed", (e) => e.nodeId === s.review && e.available === 1 && e.claimed === 0);
    await watcher.waitFor("queue:changed", (e) => e.nodeId === s.evaluate && e.available === 1 && e.claimed === 0);
    // The other evaluator could not review this task anyway: no notification for them.
    expect(bob.of("notification")).toEqual([]);
    // The reviewer watching the queue follows the review node only.
    const ritaQueue = await connect(t.url, s.rita.token);
    await ritaQueue.subscribe(rooms.queue(s.project.id));
    expect(ritaQueue.of("queue:changed")).toEqual([{ projectId: s.project.id, nodeId: s.review, available: 1, claimed: 0 }]);

    // The reviewer returns it: the author hears about it, the counts follow.
    const alice = await connect(t.url, s.alice.token);
    const r = await claim(t.url, s.rita.token, s.project.id, s.review);
    await submit(t.url, s.rita.token, r, { verdict: "return", comment: "Score the second step too." });
    expect(await alice.waitFor("notification")).toMatchObject({ type: "work_returned", body: expect.stringContaining("Score the second step too.") });
    await watcher.waitFor("queue:changed", (e) => e.nodeId === s.review && e.available === 0 && e.claimed === 0);
    await ritaQueue.waitFor("queue:changed", (e) => e.nodeId === s.review && e.available === 0 && e.claimed === 0);
    expect(ritaQueue.of("queue:changed").every((e) => e.nodeId === s.review)).toBe(true);
    for (const x of [watcher, rita, bob, alice, ritaQueue]) x.close();
  });

  it("coalesces a burst of claims: fewer messages than claims, and the last one is the truth", async () => {
    const s = await queueScene(t.deps, t.url, 12);
    const watcher = await connect(t.url, s.viewer.token);
    await watcher.subscribe(rooms.queue(s.project.id));
    watcher.clear();
    const people = [s.alice, s.bob, s.alice, s.bob, s.alice, s.bob, s.alice, s.bob, s.alice, s.bob];
    await Promise.all(people.map((p) => claim(t.url, p.token, s.project.id, s.evaluate)));
    await watcher.waitFor("queue:changed", counts(2, 10));
    const msgs = watcher.of("queue:changed").filter((e) => e.nodeId === s.evaluate);
    console.info(`10 concurrent claims → ${msgs.length} queue:changed message(s) to a watcher`);
    expect(msgs.length).toBeLessThan(people.length);
    expect(lastOf(watcher, s.evaluate)).toMatchObject({ available: 2, claimed: 10 });
    watcher.close();
  });

  it("a client that drops and comes back converges to the current counts", async () => {
    const s = await queueScene(t.deps, t.url, 4);
    const room = rooms.queue(s.project.id);
    const bob = await connect(t.url, s.bob.token);
    await bob.subscribe(room);
    expect(lastOf(bob, s.evaluate)).toMatchObject({ available: 4, claimed: 0 });

    // The connection drops; meanwhile two tasks are claimed and one is submitted.
    bob.socket.io.engine.close();
    await bob.waitFor("disconnect");
    const c1 = await claim(t.url, s.alice.token, s.project.id, s.evaluate);
    await claim(t.url, s.alice.token, s.project.id, s.evaluate);
    await submit(t.url, s.alice.token, c1, { answers: { score: 5 } });
    expect(lastOf(bob, s.evaluate)).toMatchObject({ available: 4, claimed: 0 }); // stale while away

    // Back: the client subscribes again (as the web client does on every connect).
    bob.clear();
    bob.socket.connect();
    await bob.waitFor("connect");
    expect(await bob.subscribe(room)).toEqual({ ok: true });
    expect(lastOf(bob, s.evaluate)).toEqual({ projectId: s.project.id, nodeId: s.evaluate, available: 2, claimed: 1 });

    // And it keeps following live changes after the resync.
    await claim(t.url, s.bob.token, s.project.id, s.evaluate);
    await bob.waitFor("queue:changed", (e) => e.nodeId === s.evaluate && e.available === 1 && e.claimed === 2);
    bob.close();
  });
});

describe("a project whose counts cannot be read", () => {
  it("does not hold back the other projects of the same flush", async () => {
    const a = await queueScene(t.deps, t.url, 2);
    const b = await queueScene(t.deps, t.url, 3);
    const watcher = await connect(t.url, b.owner.token);
    await watcher.subscribe(rooms.queue(b.project.id));
    const other = await connect(t.url, a.owner.token);
    await other.subscribe(rooms.queue(a.project.id));
    // Break A's live state in Redis on purpose: its counts read WRONGTYPE from now on.
    const busy = keysOf(a.project.id).busy;
    await t.deps.redis.del(busy);
    await t.deps.redis.set(busy, "not a hash");
    watcher.clear();
    // Both marked before the flush runs, A first; B's watcher is owed a full resend.
    const feed = t.app.realtime.feeds.queue;
    // Nothing of the scenes' own events still queued, so this flush holds exactly A, then B.
    const coalescer = (feed as unknown as { coalescer: { pending: number; running: boolean } }).coalescer;
    while (coalescer.pending || coalescer.running) await new Promise((r) => setTimeout(r, 5));
    (feed as unknown as { last: Map<string, unknown> }).last.delete(b.project.id);
    feed.mark(a.project.id);
    feed.mark(b.project.id);
    expect(await watcher.waitFor("queue:changed", (e) => e.nodeId === b.evaluate)).toMatchObject({ available: 3, claimed: 0 });
    await t.deps.redis.del(busy, keysOf(a.project.id).epoch); // rebuilt on the next read
    watcher.close();
    other.close();
  });
});
