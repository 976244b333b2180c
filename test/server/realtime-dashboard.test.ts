// Dashboard counters stream to dashboard rooms: a snapshot on subscribe, then
// coalesced pushes (one per burst, never one per event) for the timeframe asked.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "../../server/src/deps";
import type { DomainEvent } from "../../server/src/events/bus";
import { rooms } from "../../server/src/shared/socket-events";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { connect } from "../helpers/socket";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workers: true });
});
afterAll(() => t.close());

/** Submissions as the claim engine would write them, and the events it would publish after commit. */
async function submitted(deps: Deps, project: { id: string; orgId: string }, userId: string, n: number): Promise<DomainEvent[]> {
  const rows = Array.from({ length: n }, () => ({
    id: randomUUID(),
    projectId: project.id,
    orgId: project.orgId,
    taskId: randomUUID(),
    nodeId: "node",
    claimId: randomUUID(),
    userId,
    answers: {},
    attempt: 1,
  }));
  await deps.db.submission.createMany({ data: rows });
  return rows.map((r) => ({
    type: "task.submitted",
    orgId: r.orgId,
    projectId: r.projectId,
    pipelineId: "p",
    nodeId: r.nodeId,
    taskId: r.taskId,
    claimId: r.claimId,
    userId,
    submissionId: r.id,
  }));
}

describe("dashboard counters", () => {
  it("sends the current counters on subscribe, then one coalesced push for a burst", async () => {
    const w = await createWorld(t.deps);
    t.deps.bus.publish(await submitted(t.deps, w.project, w.contributor.id, 3));
    const admin = await connect(t.url, w.admin.token);
    expect(await admin.subscribe(rooms.orgDashboard(w.org.id), "24h")).toEqual({ ok: true });
    // The snapshot arrives before the ack.
    expect(admin.of("dashboard:counters")).toEqual([
      { scope: "org", id: w.org.id, timeframe: "24h", counters: expect.objectContaining({ submissions: 3 }) },
    ]);
    admin.clear();

    // 200 submissions published in one burst: the room gets the final value, once.
    t.deps.bus.publish(await submitted(t.deps, w.project, w.contributor.id, 200));
    const pushed = await admin.waitFor("dashboard:counters");
    expect(pushed).toMatchObject({ scope: "org", id: w.org.id, timeframe: "24h", counters: { submissions: 203 } });
    // A later event proves the flusher went past the burst without sending more for it.
    t.deps.bus.publish(await submitted(t.deps, w.project, w.contributor.id, 1));
    await admin.waitFor("dashboard:counters", (e) => e.counters.submissions === 204);
    expect(admin.of("dashboard:counters").map((e) => e.counters.submissions)).toEqual([203, 204]);
    admin.close();
  });

  it("feeds each socket the timeframe it asked for, and stops after unsubscribe", async () => {
    const w = await createWorld(t.deps);
    const owner = await connect(t.url, w.owner.token);
    const viewer = await connect(t.url, w.viewer.token);
    const room = rooms.projectDashboard(w.project.id);
    expect(await owner.subscribe(room, "30d")).toEqual({ ok: true });
    expect(await viewer.subscribe(room)).toEqual({ ok: true });
    expect(viewer.of("dashboard:counters")[0]).toMatchObject({ scope: "project", id: w.project.id, timeframe: "7d" });

    t.deps.bus.publish(await submitted(t.deps, w.project, w.contributor.id, 2));
    await owner.waitFor("dashboard:counters", (e) => e.timeframe === "30d" && e.counters.submissions === 2);
    await viewer.waitFor("dashboard:counters", (e) => e.timeframe === "7d" && e.counters.submissions === 2);
    expect(owner.of("dashboard:counters").every((e) => e.timeframe === "30d")).toBe(true);

    // Switching timeframe replaces the old feed for that socket.
    expect(await owner.subscribe(room, "all")).toEqual({ ok: true });
    expect(await viewer.unsubscribe(room)).toEqual({ ok: true });
    owner.clear();
    viewer.clear();
    t.deps.bus.publish(await submitted(t.deps, w.project, w.contributor.id, 1));
    await owner.waitFor("dashboard:counters", (e) => e.counters.submissions === 3);
    expect(owner.of("dashboard:counters").map((e) => e.timeframe)).toEqual(["all"]);
    // The owner's push went out after the same flush that would have fed the viewer.
    expect(viewer.of("dashboard:counters")).toEqual([]);
    owner.close();
    viewer.close();
  });
});
