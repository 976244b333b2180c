// A room broadcast to a large audience goes out in slices, one per turn of the
// event loop (realtime/emitter.ts). Here the slice is 2 sockets, so every count
// below is sliced: each watcher still gets every change, in order, and ends on
// the true counts; a snapshot sent meanwhile is not overtaken by an older count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rooms } from "../../server/src/shared/socket-events";
import { startTestApp, type TestApp } from "../helpers/app";
import { connect, type LiveClient } from "../helpers/socket";
import { claim, queueScene } from "./realtime.scene";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workers: true, realtime: { broadcastSlice: 2, queueFlushMs: 5 } });
});
afterAll(() => t.close());

describe("sliced room broadcasts", () => {
  it("every watcher sees the counts in order and ends on the truth", async () => {
    const s = await queueScene(t.deps, t.url, 8);
    const room = rooms.queue(s.project.id);
    const watchers: LiveClient[] = [];
    for (const who of [s.bob, s.bob, s.bob, s.owner, s.viewer, s.alice, s.admin]) {
      const c = await connect(t.url, who.token);
      expect(await c.subscribe(room)).toEqual({ ok: true });
      watchers.push(c);
    }
    // Claims one after another, each flushed while the slices of the last may still be going out.
    const late: Promise<LiveClient>[] = [];
    for (let i = 0; i < 5; i++) {
      await claim(t.url, i % 2 ? s.alice.token : s.bob.token, s.project.id, s.evaluate);
      if (i === 2) late.push(connect(t.url, s.owner.token).then(async (c) => (await c.subscribe(room), c)));
    }
    watchers.push(...(await Promise.all(late)));
    for (const w of watchers) {
      await w.waitFor("queue:changed", (e) => e.nodeId === s.evaluate && e.claimed === 5);
      const claimed = w.of("queue:changed").filter((e) => e.nodeId === s.evaluate).map((e) => e.claimed);
      expect(claimed).toEqual([...claimed].sort((a, b) => a - b));
      expect(w.of("queue:changed").filter((e) => e.nodeId === s.evaluate).at(-1)).toMatchObject({ available: 3, claimed: 5 });
    }
    for (const w of watchers) w.close();
  });
});
