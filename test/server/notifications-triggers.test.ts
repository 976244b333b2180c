// Which domain events notify whom. The events are published here the way the
// claim engine publishes them after its commits (realtime-flow.test.ts drives
// the same path through real claims); this file pins down the recipient rules.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { startNotificationTriggers, type NotificationTriggers } from "../../server/src/modules/notifications/triggers";
import { startRealtimeBridge } from "../../server/src/realtime/bridge";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createContributorType, createOrg, createProject } from "../helpers/factories";
import { goodAnswers, importTasks, mustClaim, queueOf, queueProject, submitAs } from "../helpers/queue";
import { client } from "../helpers/http";
import { connect } from "../helpers/socket";

// A Monday, 10:00 UTC.
const clock = new ManualClock("2026-06-01T10:00:00Z");
const weekdays = { timezone: "UTC", windows: [{ days: [1, 2, 3, 4, 5], start: "08:00", end: "18:00" }], exceptions: [] };
const saturdays = { timezone: "UTC", windows: [{ days: [6], start: "08:00", end: "18:00" }], exceptions: [] };

let t: TestApp;
let triggers: NotificationTriggers;
let stopBridge: () => Promise<void>;
beforeAll(async () => {
  t = await startTestApp({ clock });
  triggers = startNotificationTriggers(t.deps);
  stopBridge = startRealtimeBridge(t.deps, t.app.realtime);
});
afterAll(async () => {
  await triggers.stop();
  await stopBridge();
  await t.close();
});

async function scene() {
  const deps = t.deps;
  const { org } = await createOrg(deps);
  const project = await createProject(deps, org.id);
  const [a, b, c] = await Promise.all([
    createContributorType(deps, project.id, { name: "Evaluators" }),
    createContributorType(deps, project.id, { name: "Reviewers", schedule: weekdays }),
    createContributorType(deps, project.id, { name: "Weekend reviewers", schedule: saturdays }),
  ]);
  const author = await addProjectMember(deps, project, "contributor", a.id, "author");
  const rev1 = await addProjectMember(deps, project, "contributor", b.id, "rev1");
  const rev2 = await addProjectMember(deps, project, "contributor", b.id, "rev2");
  const weekend = await addProjectMember(deps, project, "contributor", c.id, "weekend");
  const owner = await addProjectMember(deps, project, "owner");
  const pipeline = await deps.db.pipeline.create({ data: { projectId: project.id, name: "Eval" } });
  const node = (key: string, kind: string, position: number, typeId: string | null, reviews?: string) =>
    deps.db.pipelineNode.create({
      data: { pipelineId: pipeline.id, projectId: project.id, key, kind, name: `Node ${key}`, position, contributorTypeId: typeId, reviewsNodeId: reviews ?? null },
    });
  const T = await node("t", "task", 0, a.id);
  const [R1, R2, R3] = await Promise.all([node("r1", "review", 1, b.id, T.id), node("r2", "review", 2, null, T.id), node("r3", "review", 3, c.id, T.id)]);
  const task = await deps.db.task.create({ data: { projectId: project.id, pipelineId: pipeline.id, nodeId: T.id, payload: {} } });
  await deps.db.submission.create({
    data: { projectId: project.id, orgId: org.id, taskId: task.id, nodeId: T.id, claimId: randomUUID(), userId: author.id, answers: {}, attempt: 1 },
  });
  const ref = { orgId: org.id, projectId: project.id, pipelineId: pipeline.id, taskId: task.id };
  return { org, project, author, rev1, rev2, weekend, owner, T, R1, R2, R3, task, ref };
}

const inbox = async (userId: string) =>
  (await t.deps.db.notification.findMany({ where: { userId }, orderBy: { createdAt: "asc" } })).map((n) => ({ type: n.type, link: n.link }));

describe("notification triggers", () => {
  it("review_ready: the node's type, inside its schedule, never the author", async () => {
    const s = await scene();
    const live = await connect(t.url, s.rev1.token);
    t.deps.bus.publish({ type: "task.moved", ...s.ref, nodeId: s.R1.id, fromNodeId: s.T.id });
    const pushed = await live.waitFor("notification");
    expect(pushed).toMatchObject({ type: "review_ready", title: "Ready for review: Node r1", link: `/projects/${s.project.id}/queue?node=${s.R1.id}` });
    await triggers.idle();
    expect(await inbox(s.rev2.id)).toEqual([{ type: "review_ready", link: `/projects/${s.project.id}/queue?node=${s.R1.id}` }]);
    for (const u of [s.author, s.weekend, s.owner]) expect(await inbox(u.id)).toEqual([]);

    // An open review node: every contributor whose schedule is open, except the author.
    t.deps.bus.publish({ type: "task.moved", ...s.ref, nodeId: s.R2.id, fromNodeId: s.T.id });
    // A node whose type is off on Mondays: nobody now.
    t.deps.bus.publish({ type: "task.moved", ...s.ref, nodeId: s.R3.id, fromNodeId: s.T.id });
    await triggers.idle();
    expect((await inbox(s.rev1.id)).length).toBe(2);
    expect((await inbox(s.rev2.id)).length).toBe(2);
    for (const u of [s.author, s.weekend, s.owner]) expect(await inbox(u.id)).toEqual([]);
    live.close();
  });

  it("review_ready for an assigned task goes to the review node's type, as the queue serves it, never the author", async () => {
    // An assignment names who may work the task node (the author to be); the
    // review node serves its type like any other task (queue/placement.ts).
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const reviewers = q.types.Reviewers!.people;
    const [toAlice, toType] = await importTasks(q, [
      { payload: { n: 1 }, assignTo: { userId: alice!.id } },
      { payload: { n: 2 }, assignTo: { contributorTypeId: q.types.Evaluators!.id } },
    ]);
    const a = await mustClaim(q, alice!, "evaluate", toAlice);
    expect((await submitAs(q, alice!, a, { answers: goodAnswers })).status).toBe(201);
    const b = await mustClaim(q, bob!, "evaluate", toType);
    expect((await submitAs(q, bob!, b, { answers: goodAnswers })).status).toBe(201);
    await triggers.idle();
    for (const r of reviewers) {
      // One notification for the node, grown by the second task (notifications-digest.test.ts).
      expect(await t.deps.db.notification.findMany({ where: { userId: r.id }, select: { type: true, count: true } })).toEqual([{ type: "review_ready", count: 2 }]);
      // ...and the queue does offer both to them.
      expect((await queueOf(q, r)).find((i) => i.key === "review")!.available).toBe(2);
    }
    for (const u of [alice!, bob!]) expect(await inbox(u.id)).toEqual([]);
  });

  it("work_returned only when the work is kept for its author: not once they left the project", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const [reviewer] = q.types.Reviewers!.people;
    await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }]);
    const a = await mustClaim(q, alice!, "evaluate");
    const b = await mustClaim(q, bob!, "evaluate");
    for (const [who, held] of [[alice!, a], [bob!, b]] as const) expect((await submitAs(q, who, held, { answers: goodAnswers })).status).toBe(201);
    const r1 = await mustClaim(q, reviewer!, "review");
    const r2 = await mustClaim(q, reviewer!, "review");
    expect((await client(t.url, q.owner.token).delete(`/api/projects/${q.project.id}/members/${alice!.id}`)).status).toBe(204);
    for (const r of [r1, r2]) expect((await submitAs(q, reviewer!, r, { verdict: "return", comment: "again" })).status).toBe(201);
    await triggers.idle();
    expect((await inbox(bob!.id)).map((n) => n.type)).toEqual(["work_returned"]);
    expect(await inbox(alice!.id)).toEqual([]);
  });

  it("work_returned to the author with the reviewer's comment; task moves to a task node notify nobody", async () => {
    const s = await scene();
    const live = await connect(t.url, s.author.token);
    const review = await t.deps.db.review.create({
      data: {
        projectId: s.project.id,
        orgId: s.org.id,
        taskId: s.task.id,
        nodeId: s.R1.id,
        submissionId: randomUUID(),
        claimId: randomUUID(),
        userId: s.rev1.id,
        verdict: "return",
        comment: "Check the second tool call.",
        round: 1,
      },
    });
    const reviewed = { ...s.ref, nodeId: s.R1.id, claimId: review.claimId, userId: s.rev1.id, reviewId: review.id, authorId: s.author.id, keptForAuthor: true };
    t.deps.bus.publish({ type: "task.reviewed", ...reviewed, verdict: "return" });
    t.deps.bus.publish({ type: "task.moved", ...s.ref, nodeId: s.T.id, fromNodeId: s.R1.id });
    const n = await live.waitFor("notification");
    expect(n).toMatchObject({
      type: "work_returned",
      body: "A reviewer returned your submission for rework: “Check the second tool call.”",
      link: `/projects/${s.project.id}/queue?node=${s.T.id}`,
    });
    t.deps.bus.publish({ type: "task.reviewed", ...reviewed, verdict: "pass" });
    await triggers.idle();
    expect((await inbox(s.author.id)).map((x) => x.type)).toEqual(["work_returned"]);
    for (const u of [s.rev1, s.rev2, s.weekend]) expect(await inbox(u.id)).toEqual([]);
    live.close();
  });

  it("claim_expiring and claim_expired to the holder, with the claim events on their socket; the first leads to the claim, the second to the queue", async () => {
    const s = await scene();
    const live = await connect(t.url, s.author.token);
    const claim = { ...s.ref, nodeId: s.T.id, claimId: randomUUID(), userId: s.author.id };
    const expiresAt = new Date(clock.now().getTime() + 120_000).toISOString();
    t.deps.bus.publish({ type: "claim.expiring", ...claim, expiresAt });
    expect(await live.waitFor("claim:expiring")).toEqual({ claimId: claim.claimId, taskId: s.task.id, nodeId: s.T.id, expiresAt });
    // While it lasts, the holder is taken back to the task they hold, not to the queue.
    expect(await live.waitFor("notification")).toMatchObject({
      type: "claim_expiring",
      title: "Your claim expires in 2 minutes",
      link: `/work/claims/${claim.claimId}?project=${s.project.id}`,
    });

    clock.advance(1_000); // stored a second apart, so the inbox order is certain
    t.deps.bus.publish({ type: "task.released", ...claim, reason: "released" });
    t.deps.bus.publish({ type: "task.released", ...claim, reason: "expired" });
    expect(await live.waitFor("claim:expired")).toEqual({ claimId: claim.claimId, taskId: s.task.id, nodeId: s.T.id });
    expect(await live.waitFor("notification", (x) => x.type === "claim_expired")).toMatchObject({ link: `/projects/${s.project.id}/queue?node=${s.T.id}` });
    await triggers.idle();
    expect((await inbox(s.author.id)).map((x) => x.type)).toEqual(["claim_expiring", "claim_expired"]);
    expect(live.of("claim:expired")).toHaveLength(1);
    live.close();
  });
});
