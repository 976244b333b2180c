// Reviewers off shift when work reaches their review node are not told then
// (they could not claim it); when their type's schedule window opens and work
// still waits for them, they are told once per node: "N tasks wait for your
// review". Once per window opening, however many instances run the pass.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { shiftNoticesOnce } from "../../server/src/modules/notifications/shifts";
import { startNotificationTriggers, type NotificationTriggers } from "../../server/src/modules/notifications/triggers";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createContributorType, createOrg, createProject } from "../helpers/factories";

// A Monday, 07:30 UTC: the reviewers' shift opens at 08:00.
const clock = new ManualClock("2026-06-01T07:30:00Z");
const weekdays = { timezone: "UTC", windows: [{ days: [1, 2, 3, 4, 5], start: "08:00", end: "18:00" }], exceptions: [] };

let one: TestApp;
let two: TestApp;
let triggers: NotificationTriggers;
beforeAll(async () => {
  [one, two] = await Promise.all([startTestApp({ clock }), startTestApp({ clock })]);
  triggers = startNotificationTriggers(one.deps);
});
afterAll(async () => {
  await triggers.stop();
  await Promise.all([one.close(), two.close()]);
});

async function scene() {
  const deps = one.deps;
  const { org } = await createOrg(deps);
  const project = await createProject(deps, org.id);
  const [evaluators, reviewers] = await Promise.all([
    createContributorType(deps, project.id, { name: "Evaluators" }),
    createContributorType(deps, project.id, { name: "Reviewers", schedule: weekdays }),
  ]);
  const author = await addProjectMember(deps, project, "contributor", evaluators.id, "author");
  const rev1 = await addProjectMember(deps, project, "contributor", reviewers.id, "rev1");
  // A reviewer who also wrote some of the work under review: not told of their own.
  const rev2 = await addProjectMember(deps, project, "contributor", reviewers.id, "rev2");
  const owner = await addProjectMember(deps, project, "owner");
  const pipeline = await deps.db.pipeline.create({ data: { projectId: project.id, name: "Eval" } });
  const node = (key: string, kind: string, position: number, typeId: string | null, reviews?: string) =>
    deps.db.pipelineNode.create({
      data: { pipelineId: pipeline.id, projectId: project.id, key, kind, name: `Node ${key}`, position, contributorTypeId: typeId, reviewsNodeId: reviews ?? null },
    });
  const T = await node("t", "task", 0, null);
  const R = await node("r", "review", 1, reviewers.id, T.id);
  const Open = await node("open", "review", 2, null, T.id); // any contributor's
  await node("empty", "review", 3, reviewers.id, T.id); // nothing waits there
  const task = async (at: string, by: string, status = "queued") => {
    const t = await deps.db.task.create({ data: { projectId: project.id, pipelineId: pipeline.id, nodeId: at, status, payload: {} } });
    await deps.db.submission.create({ data: { projectId: project.id, orgId: org.id, taskId: t.id, nodeId: T.id, claimId: randomUUID(), userId: by, answers: {}, attempt: 1 } });
    return t;
  };
  for (const by of [author.id, rev2.id, rev2.id]) await task(R.id, by);
  await task(R.id, author.id, "claimed"); // held by someone: not waiting
  await task(Open.id, author.id);
  // Work reaching the review node now, while the reviewers are off shift: nobody is told.
  one.deps.bus.publish({ type: "task.moved", orgId: org.id, projectId: project.id, pipelineId: pipeline.id, taskId: (await task(R.id, author.id)).id, nodeId: R.id, fromNodeId: T.id });
  await triggers.idle();
  return { org, project, author, rev1, rev2, owner, R, Open };
}

const inbox = async (userId: string) =>
  (await one.deps.db.notification.findMany({ where: { userId }, orderBy: [{ createdAt: "asc" }, { title: "asc" }] })).map((n) => ({ type: n.type, title: n.title, body: n.body, link: n.link }));

describe("reviewers told when their shift opens and work waits", () => {
  it("tells each reviewer once per node what waits for them, however many instances run the pass", async () => {
    const s = await scene();
    const only = { projects: [s.project.id] };
    for (const u of [s.rev1, s.rev2]) expect(await inbox(u.id)).toEqual([]);
    // Still off shift: nothing.
    expect(await shiftNoticesOnce(one.deps, only)).toBe(0);

    clock.set("2026-06-01T08:02:00Z");
    const told = await Promise.all([shiftNoticesOnce(one.deps, only), shiftNoticesOnce(two.deps, only)]);
    expect(told[0] + told[1]).toBe(4);
    const link = (nodeId: string) => `/projects/${s.project.id}/queue?node=${nodeId}`;
    expect(await inbox(s.rev1.id)).toEqual([
      { type: "reviews_waiting", title: "Waiting for your review: Node open", body: `1 task waits for your review at Node open in ${s.project.name}.`, link: link(s.Open.id) },
      { type: "reviews_waiting", title: "Waiting for your review: Node r", body: `4 tasks wait for your review at Node r in ${s.project.name}.`, link: link(s.R.id) },
    ]);
    expect((await inbox(s.rev2.id)).map((n) => n.body)).toEqual([
      `1 task waits for your review at Node open in ${s.project.name}.`,
      `2 tasks wait for your review at Node r in ${s.project.name}.`,
    ]);
    // No schedule (always on shift, told as work arrives), or no rights to review: never.
    for (const u of [s.author, s.owner]) expect(await inbox(u.id)).toEqual([]);

    // Later passes in the same window: nothing more.
    clock.set("2026-06-01T08:20:00Z");
    expect(await shiftNoticesOnce(two.deps, only)).toBe(0);
    expect(await inbox(s.rev1.id)).toHaveLength(2);

    // The next window opening: told again of what still waits.
    clock.set("2026-06-02T08:01:00Z");
    expect(await shiftNoticesOnce(one.deps, only)).toBe(4);
    expect(await inbox(s.rev1.id)).toHaveLength(4);
  });

  it("a window that opened long before the pass (the server was down) is not told late", async () => {
    clock.set("2026-06-03T07:30:00Z");
    const s = await scene();
    clock.set("2026-06-03T09:30:00Z");
    expect(await shiftNoticesOnce(one.deps, { projects: [s.project.id] })).toBe(0);
    expect(await inbox(s.rev1.id)).toEqual([]);
  });

  it("nothing for an archived project", async () => {
    clock.set("2026-06-04T07:30:00Z");
    const s = await scene();
    await one.deps.db.project.update({ where: { id: s.project.id }, data: { status: "archived" } });
    clock.set("2026-06-04T08:01:00Z");
    expect(await shiftNoticesOnce(one.deps, { projects: [s.project.id] })).toBe(0);
  });
});
