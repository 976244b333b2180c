// A project archived or deleted while work is being added to it (tasks
// imported, agent runs ingested, agents, pipelines, types or people added, a
// claim recorded). Each interleaving is forced by a lock the test holds in its
// own transaction (test/helpers/locks.ts). Whichever commits second must see
// the first: an archive or delete waits for a writer already under way (and
// then sees its rows), a writer that comes after answers as it would against
// an archived (409 project_archived) or deleted (404) project. Never a 500,
// never a row left behind.
import { describe, expect, it } from "vitest";
import { EventBus } from "../../server/src/events/bus";
import { archiveProject } from "../../server/src/modules/projects/service";
import { loadActor } from "../../server/src/access/actor";
import { addOrgMember } from "../helpers/factories";
import { client, type Res } from "../helpers/http";
import { holdRow, settled } from "../helpers/locks";
import { claimAt, goodAnswers, mustClaim, queueOf, queueProject, submitAs, type QueueProject } from "../helpers/queue";
import { raceApp } from "../helpers/races";

const t = raceApp();
const { until } = t;

const code = (r: Res) => [r.status, r.body?.error?.code];

// The holds: a writer stops at its task insert (the task's pipeline key) with
// its checks behind it; an archive or delete stops at its audit entry (the org
// key), with the project row already changed.
const holdPipeline = (q: QueueProject) => holdRow("Pipeline", q.pipeline.id);
const holdOrg = (q: QueueProject) => holdRow("Organization", q.org.id);

const importOne = (q: QueueProject) =>
  client(t.url, q.owner.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { q: 1 } }] });
const archive = (q: QueueProject) => client(t.url, q.admin.token).post(`/api/projects/${q.project.id}/archive`);
const restore = (q: QueueProject) => client(t.url, q.admin.token).post(`/api/projects/${q.project.id}/restore`);
const remove = (q: QueueProject) => client(t.url, q.admin.token).delete(`/api/projects/${q.project.id}`);

async function withAgent(q: QueueProject) {
  const r = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/agents`, { name: "Bot" });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
const ingest = (q: QueueProject, agentId: string) =>
  client(t.url, q.owner.token).post(`/api/agents/${agentId}/runs`, {
    input: { prompt: "2+2?" },
    output: { answer: "4" },
    pipelineId: q.pipeline.id,
  });

/** Rows of the project left anywhere, including the tables without a foreign key to it. */
async function leftOf(projectId: string) {
  const [row] = await t.deps.db.$queryRaw<Array<Record<string, number>>>`
    SELECT (SELECT count(*)::int FROM "Task" WHERE "projectId" = ${projectId}) AS tasks,
           (SELECT count(*)::int FROM "TaskEvent" WHERE "projectId" = ${projectId}) AS events,
           (SELECT count(*)::int FROM "Run" WHERE "projectId" = ${projectId}) AS runs,
           (SELECT count(*)::int FROM "Claim" WHERE "projectId" = ${projectId}) AS claims,
           (SELECT count(*)::int FROM "Submission" WHERE "projectId" = ${projectId}) AS submissions`;
  return row;
}
const nothing = { tasks: 0, events: 0, runs: 0, claims: 0, submissions: 0 };

describe("archiving a project while work is added to it", () => {
  it("an import under way: the archive waits for it, then its task waits for the restore", async () => {
    const q = await queueProject(t.deps, t.url);
    const lock = await holdPipeline(q);
    let imp: Promise<Res>, arch: Promise<Res>;
    try {
      imp = importOne(q);
      await until(lock.pid, 1);
      arch = archive(q);
      await until(lock.pid, 2, arch);
      expect(await settled(arch), "the archive answered while an import it must see was still open").toBe(false);
    } finally {
      await lock.release();
    }
    const [i, a] = await Promise.all([imp!, arch!]);
    expect([i.status, a.status, a.body.status]).toEqual([201, 200, "archived"]);
    const alice = q.types.Evaluators!.people[0]!;
    expect(code(await claimAt(q, alice, "evaluate"))).toEqual([409, "project_archived"]);
    expect((await restore(q)).status).toBe(200);
    expect((await mustClaim(q, alice, "evaluate")).taskId).toBe(i.body.taskIds[0]);
  });

  it("an import under way for longer than a plain transaction may last: the archive still waits for it", async () => {
    const q = await queueProject(t.deps, t.url);
    const lock = await holdPipeline(q);
    let imp: Promise<Res>, arch: Promise<Res>;
    try {
      imp = importOne(q);
      await until(lock.pid, 1);
      arch = archive(q);
      await until(lock.pid, 2, arch);
      // An import may take up to 60 s (a large file on a busy server); Prisma ends a transaction after 5 s by default.
      await new Promise((r) => setTimeout(r, 5_500));
    } finally {
      await lock.release();
    }
    const [i, a] = await Promise.all([imp!, arch!]);
    expect([i.status, a.status, a.body.status], a.text).toEqual([201, 200, "archived"]);
  }, 20_000);

  it("a run queued behind that archive past its own transaction's time: 503 (try again), not a 500, nothing written", async () => {
    const q = await queueProject(t.deps, t.url);
    const agentId = await withAgent(q);
    const lock = await holdPipeline(q);
    let imp: Promise<Res>, arch: Promise<Res>, run: Promise<Res>;
    try {
      imp = importOne(q);
      await until(lock.pid, 1);
      arch = archive(q);
      await until(lock.pid, 2, arch);
      run = ingest(q, agentId);
      await until(lock.pid, 3, run);
      await new Promise((r) => setTimeout(r, 5_500));
    } finally {
      await lock.release();
    }
    const [i, a, r] = await Promise.all([imp!, arch!, run!]);
    expect([i.status, a.status, ...code(r)], r.text).toEqual([201, 200, 503, "unavailable"]);
    expect(await t.deps.db.run.count({ where: { agentId } })).toBe(0);
  }, 20_000);

  it("an import arriving while the archive commits: 409 project_archived, nothing written", async () => {
    const q = await queueProject(t.deps, t.url);
    const lock = await holdOrg(q);
    let imp: Promise<Res>, arch: Promise<Res>;
    try {
      arch = archive(q);
      await until(lock.pid, 1);
      imp = importOne(q);
      await until(lock.pid, 2, imp);
    } finally {
      await lock.release();
    }
    const [a, i] = await Promise.all([arch!, imp!]);
    expect([a.status, ...code(i)]).toEqual([200, 409, "project_archived"]);
    expect(await t.deps.db.task.count({ where: { projectId: q.project.id } })).toBe(0);
  });

  it("a run being ingested: the archive waits for it", async () => {
    const q = await queueProject(t.deps, t.url);
    const agentId = await withAgent(q);
    const lock = await holdPipeline(q);
    let run: Promise<Res>, arch: Promise<Res>;
    try {
      run = ingest(q, agentId);
      await until(lock.pid, 1);
      arch = archive(q);
      await until(lock.pid, 2, arch);
      expect(await settled(arch), "the archive answered while a run it must see was still open").toBe(false);
    } finally {
      await lock.release();
    }
    const [r, a] = await Promise.all([run!, arch!]);
    expect([r.status, a.status]).toEqual([201, 200]);
  });

  it("a run arriving while the archive commits: 409 project_archived, no run, no task", async () => {
    const q = await queueProject(t.deps, t.url);
    const agentId = await withAgent(q);
    const lock = await holdOrg(q);
    let run: Promise<Res>, arch: Promise<Res>;
    try {
      arch = archive(q);
      await until(lock.pid, 1);
      run = ingest(q, agentId);
      await until(lock.pid, 2, run);
    } finally {
      await lock.release();
    }
    const [a, r] = await Promise.all([arch!, run!]);
    expect([a.status, ...code(r)]).toEqual([200, 409, "project_archived"]);
    expect(await t.deps.db.run.count({ where: { agentId } })).toBe(0);
    expect(await t.deps.db.task.count({ where: { projectId: q.project.id } })).toBe(0);
  });

  it("a claim being recorded: the archive waits for it", async () => {
    const q = await queueProject(t.deps, t.url);
    const [taskId] = (await importOne(q)).body.taskIds;
    const alice = q.types.Evaluators!.people[0]!;
    // Holds the task row: the claim stops inside pipelines_claim, its Redis decision taken.
    const lock = await holdRow("Task", taskId);
    let claim: Promise<Res>, arch: Promise<Res>;
    try {
      claim = claimAt(q, alice, "evaluate");
      await until(lock.pid, 1);
      arch = archive(q);
      await until(lock.pid, 2, arch);
      expect(await settled(arch), "the archive answered while a claim was being recorded").toBe(false);
    } finally {
      await lock.release();
    }
    const [c, a] = await Promise.all([claim!, arch!]);
    expect([c.status, a.status]).toEqual([201, 200]);
  });

  it("a claim decided on this instance's cached definitions after another archived the project: 409, nothing held", async () => {
    const q = await queueProject(t.deps, t.url);
    await importOne(q);
    const alice = q.types.Evaluators!.people[0]!;
    expect((await queueOf(q, alice))[0]!.canClaim).toBe(true); // this instance now caches the project as active
    // Archived as by another instance whose config bump has not reached this one (yet, or ever: Redis was away).
    const admin = await loadActor(t.deps.db, q.admin.id);
    await archiveProject({ ...t.deps, bus: new EventBus() }, admin!, q.project, "archived");
    expect(code(await claimAt(q, alice, "evaluate"))).toEqual([409, "project_archived"]);
    expect(await t.deps.db.claim.count({ where: { projectId: q.project.id } })).toBe(0);
  });
});

describe("deleting a project while work is added to it", () => {
  it("an import arriving while the delete commits: 404, not a 500", async () => {
    const q = await queueProject(t.deps, t.url);
    const lock = await holdOrg(q);
    let imp: Promise<Res>, del: Promise<Res>;
    try {
      del = remove(q);
      await until(lock.pid, 1);
      imp = importOne(q);
      await until(lock.pid, 2, imp);
    } finally {
      await lock.release();
    }
    const [d, i] = await Promise.all([del!, imp!]);
    expect([d.status, ...code(i)]).toEqual([204, 404, "not_found"]);
    expect(await leftOf(q.project.id)).toEqual(nothing);
  });

  it("an import under way: the delete waits for it and takes its tasks and their history along", async () => {
    const q = await queueProject(t.deps, t.url);
    const lock = await holdPipeline(q);
    let imp: Promise<Res>, del: Promise<Res>;
    try {
      imp = importOne(q);
      await until(lock.pid, 1);
      del = remove(q);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [i, d] = await Promise.all([imp!, del!]);
    expect([i.status, d.status]).toEqual([201, 204]);
    expect(await leftOf(q.project.id)).toEqual(nothing);
  });

  it("a run being ingested: the delete waits for it, nothing is left", async () => {
    const q = await queueProject(t.deps, t.url);
    const agentId = await withAgent(q);
    const lock = await holdPipeline(q);
    let run: Promise<Res>, del: Promise<Res>;
    try {
      run = ingest(q, agentId);
      await until(lock.pid, 1);
      del = remove(q);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [r, d] = await Promise.all([run!, del!]);
    expect([r.status, d.status]).toEqual([201, 204]);
    expect(await leftOf(q.project.id)).toEqual(nothing);
  });

  it("a claim being recorded: the delete waits for it, no claim or history is left", async () => {
    const q = await queueProject(t.deps, t.url);
    const [taskId] = (await importOne(q)).body.taskIds;
    const alice = q.types.Evaluators!.people[0]!;
    const lock = await holdRow("Task", taskId);
    let claim: Promise<Res>, del: Promise<Res>;
    try {
      claim = claimAt(q, alice, "evaluate");
      await until(lock.pid, 1);
      del = remove(q);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [c, d] = await Promise.all([claim!, del!]);
    expect([c.status, d.status]).toEqual([201, 204]);
    expect(await leftOf(q.project.id)).toEqual(nothing);
  });

  it("a submission being recorded: the delete waits for it, no submission or history is left", async () => {
    const q = await queueProject(t.deps, t.url);
    const [taskId] = (await importOne(q)).body.taskIds;
    const alice = q.types.Evaluators!.people[0]!;
    const held = await mustClaim(q, alice, "evaluate");
    // Holds the task row: the submit stops inside pipelines_submit, its claim row already ended.
    const lock = await holdRow("Task", taskId);
    let sub: Promise<Res>, del: Promise<Res>;
    try {
      sub = submitAs(q, alice, held, { answers: goodAnswers });
      await until(lock.pid, 1);
      del = remove(q);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [s, d] = await Promise.all([sub!, del!]);
    expect([s.status, d.status]).toEqual([201, 204]);
    expect(await leftOf(q.project.id)).toEqual(nothing);
  });

  // Everything else that adds a row to a project, sent while the delete commits.
  const form = { criteria: [{ key: "ok", label: "OK?", kind: "boolean" }] };
  const writers: Array<[string, (q: QueueProject, carol: string) => Promise<Res>]> = [
    ["an agent", (q) => client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/agents`, { name: "Bot" })],
    ["a pipeline", (q) => client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/pipelines`, {
      name: "Another",
      nodes: [{ key: "work", kind: "task", name: "Work", form }, { key: "done", kind: "end", name: "Done" }],
    })],
    ["a contributor type", (q) =>
      client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/contributor-types`, { name: "Late", claimLimit: 1 })],
    ["a team member", (q, carol) =>
      client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/members`, { userId: carol, role: "viewer" })],
    ["a person invited onto it", (q) => client(t.url, q.admin.token).post(`/api/orgs/${q.org.id}/people`, {
      email: `late-${q.project.id}@test.local`, projects: [{ projectId: q.project.id, role: "viewer" }],
    })],
    ["a person given a role on it", (q, carol) => client(t.url, q.admin.token).patch(`/api/orgs/${q.org.id}/people/${carol}`, {
      projects: [{ projectId: q.project.id, role: "viewer" }],
    })],
  ];
  it.each(writers)("%s added while the delete commits: 404, not a 500", async (_, write) => {
    const q = await queueProject(t.deps, t.url);
    const carol = await addOrgMember(t.deps, q.org.id, "member", "carol");
    const lock = await holdOrg(q);
    let w: Promise<Res>, del: Promise<Res>;
    try {
      del = remove(q);
      await until(lock.pid, 1);
      w = write(q, carol.id);
      await until(lock.pid, 2, w);
    } finally {
      await lock.release();
    }
    const [d, r] = await Promise.all([del!, w!]);
    expect([d.status, ...code(r)], r.text).toEqual([204, 404, "not_found"]);
    expect(await t.deps.db.project.count({ where: { id: q.project.id } })).toBe(0);
  });
});

// Someone leaving the project (or their role changing) while it is deleted: the
// leave locks their member row and then revokes their live claim; the delete
// clears the claims and then, by cascade, the member rows. In that order both
// way round they would wait for each other (PostgreSQL breaks the deadlock by
// failing one: a 500).
describe("deleting a project while someone leaves it", () => {
  const leavers: Array<[string, (q: QueueProject, alice: string) => Promise<Res>]> = [
    ["taken off the team", (q, alice) => client(t.url, q.owner.token).delete(`/api/projects/${q.project.id}/members/${alice}`)],
    ["made a viewer", (q, alice) => client(t.url, q.owner.token).patch(`/api/projects/${q.project.id}/members/${alice}`, { role: "viewer" })],
    ["given no projects on the People page", (q, alice) => client(t.url, q.admin.token).patch(`/api/orgs/${q.org.id}/people/${alice}`, { projects: [] })],
    ["removed from the org", (q, alice) => client(t.url, q.admin.token).delete(`/api/orgs/${q.org.id}/people/${alice}`)],
  ];
  it.each(leavers)("a contributor holding a claim %s: no 500, nothing left", async (_, leave) => {
    const q = await queueProject(t.deps, t.url);
    await importOne(q);
    const alice = q.types.Evaluators!.people[0]!;
    await mustClaim(q, alice, "evaluate");
    // The delete stops at the history, its claims already deleted; the leave then stops at the claim it revokes.
    const [event] = await t.deps.db.taskEvent.findMany({ where: { projectId: q.project.id }, take: 1 });
    const lock = await holdRow("TaskEvent", event!.id);
    let del: Promise<Res>, l: Promise<Res>;
    try {
      del = remove(q);
      await until(lock.pid, 1);
      l = leave(q, alice.id);
      await until(lock.pid, 2, l);
    } finally {
      await lock.release();
    }
    const [d, r] = await Promise.all([del!, l!]);
    expect(d.status, d.text).toBe(204);
    expect(r.status, r.text).toBeLessThan(500);
    expect(await leftOf(q.project.id)).toEqual(nothing);
  });
});

// A contributor type deleted while its project is deleted: the type's delete
// sets its members' type to none, the project's delete removes the members and
// then, by cascade, the types; in that order both ways round each would hold
// what the other needs next. The type's delete takes the project's lock first,
// so it waits for a project delete under way and then finds the type gone.
describe("deleting a contributor type while its project is deleted", () => {
  it("waits for the project's delete, then answers 404, not a deadlock", async () => {
    const q = await queueProject(t.deps, t.url);
    const type = q.types.Evaluators!;
    await importOne(q);
    const [event] = await t.deps.db.taskEvent.findMany({ where: { projectId: q.project.id }, take: 1 });
    // The project's delete stops at the history, its locks taken.
    const lock = await holdRow("TaskEvent", event!.id);
    let del: Promise<Res>, typeDel: Promise<Res>;
    try {
      del = remove(q);
      await until(lock.pid, 1);
      typeDel = client(t.url, q.owner.token).delete(`/api/projects/${q.project.id}/contributor-types/${type.id}`);
      await until(lock.pid, 2, typeDel);
      // It is waiting for the project's delete, not racing it.
      expect(await settled(typeDel)).toBe(false);
    } finally {
      await lock.release();
    }
    const [d, r] = await Promise.all([del!, typeDel!]);
    expect([d.status, ...code(r)], r.text).toEqual([204, 404, "not_found"]);
    expect(await t.deps.db.contributorType.count({ where: { projectId: q.project.id } })).toBe(0);
  });
});
