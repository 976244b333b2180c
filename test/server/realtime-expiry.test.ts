// A claim's holder is told before the lease runs out and when it did: the
// personal socket events (not coalesced) plus the stored notifications. Time is
// a ManualClock; the sweeper runs one pass at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { sweepOnce } from "../../server/src/queue/sweeper";
import { rooms } from "../../server/src/shared/socket-events";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { connect } from "../helpers/socket";
import { claim, queueScene } from "./realtime.scene";

const clock = new ManualClock("2026-06-01T10:00:00Z");
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock, workers: true, config: { CLAIM_EXPIRING_SECONDS: 120 } });
});
afterAll(() => t.close());

describe("claim expiry", () => {
  it("warns the holder before the lease ends, then tells them it expired and returns the task", async () => {
    const s = await queueScene(t.deps, t.url, 1);
    const alice = await connect(t.url, s.alice.token);
    const watcher = await connect(t.url, s.owner.token);
    await watcher.subscribe(rooms.queue(s.project.id));
    const c = await claim(t.url, s.alice.token, s.project.id, s.evaluate);
    await watcher.waitFor("queue:changed", (e) => e.nodeId === s.evaluate && e.claimed === 1);

    // 30 min lease: nothing to say yet at 27 min.
    clock.advance(27 * 60_000);
    await sweepOnce(t.deps);
    // 28 min 30 s: inside the last 2 minutes.
    clock.advance(90_000);
    await sweepOnce(t.deps);
    const expiring = await alice.waitFor("claim:expiring");
    expect(expiring).toMatchObject({ claimId: c.id, taskId: c.taskId, nodeId: s.evaluate });
    expect(await alice.waitFor("notification")).toMatchObject({ type: "claim_expiring", title: "Your claim expires in 2 minutes" });
    // Warned once per lease, however often the sweeper passes.
    await sweepOnce(t.deps);

    clock.advance(2 * 60_000);
    await sweepOnce(t.deps);
    expect(await alice.waitFor("claim:expired")).toEqual({ claimId: c.id, taskId: c.taskId, nodeId: s.evaluate });
    await alice.waitFor("notification", (n) => n.type === "claim_expired");
    await watcher.waitFor("queue:changed", (e) => e.nodeId === s.evaluate && e.available === 1 && e.claimed === 0);
    expect(alice.of("claim:expiring")).toHaveLength(1);

    const inbox = await client(t.url, s.alice.token).get("/api/me/notifications");
    expect(inbox.body.items.map((n: { type: string }) => n.type).sort()).toEqual(["claim_expired", "claim_expiring"]);
    alice.close();
    watcher.close();
  });

  it("tells the holder at once when an admin takes the claim back", async () => {
    const s = await queueScene(t.deps, t.url, 1);
    const alice = await connect(t.url, s.alice.token);
    const c = await claim(t.url, s.alice.token, s.project.id, s.evaluate);
    expect((await client(t.url, s.owner.token).post(`/api/claims/${c.id}/revoke`)).status).toBe(204);
    expect(await alice.waitFor("claim:revoked")).toEqual({ claimId: c.id, taskId: c.taskId, nodeId: s.evaluate });
    expect(alice.of("claim:expired")).toHaveLength(0);
    alice.close();
  });
});

describe("queue settings", () => {
  it("tells a queue room's watchers to read their queue again when the project's types or schedules change", async () => {
    const s = await queueScene(t.deps, t.url, 1);
    const alice = await connect(t.url, s.alice.token);
    await alice.subscribe(rooms.queue(s.project.id));
    const schedule = { timezone: "UTC", windows: [{ days: [6], start: "09:00", end: "10:00" }], exceptions: [] };
    const r = await client(t.url, s.owner.token).patch(`/api/projects/${s.project.id}/contributor-types/${s.evaluators.id}`, { schedule });
    expect(r.status).toBe(200);
    expect(await alice.waitFor("queue:settings")).toEqual({ projectId: s.project.id });
    alice.close();
  });
});
