// Administrative changes that race each other must never leave a task or a node
// nobody can claim: a contributor type deleted while a pipeline that requires it
// is saved, or while tasks assigned to it are imported; a person taken off the
// team while tasks assigned to them are imported. Each race is made
// deterministic by a row lock the test holds in its own transaction, so the first
// request stops after its checks and the second runs in the window; then the
// lock is released. Whichever commits second must see the first.
import { describe, expect, it } from "vitest";
import { addOrgMember, createContributorType } from "../helpers/factories";
import { client, type Res } from "../helpers/http";
import { holdRow } from "../helpers/locks";
import { evaluateForm, mustClaim, queueProject } from "../helpers/queue";
import { raceApp } from "../helpers/races";

const t = raceApp();
const { until } = t;

const code = (r: Res) => [r.status, r.body?.error?.code];

/** Pipeline nodes and open tasks of the project that require a type it no longer has. */
async function dangling(projectId: string) {
  const [row] = await t.deps.db.$queryRaw<Array<{ nodes: number; tasks: number }>>`
    SELECT (SELECT count(*)::int FROM "PipelineNode" n WHERE n."projectId" = ${projectId} AND n."contributorTypeId" IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM "ContributorType" c WHERE c.id = n."contributorTypeId")) AS nodes,
           (SELECT count(*)::int FROM "Task" k WHERE k."projectId" = ${projectId} AND k.status <> 'completed' AND k."assignedTypeId" IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM "ContributorType" c WHERE c.id = k."assignedTypeId")) AS tasks`;
  return row;
}

const tempPipeline = (typeId: string) => ({
  name: "Needs the new type",
  nodes: [
    { key: "work", kind: "task", name: "Work", contributorTypeId: typeId, form: evaluateForm },
    { key: "done", kind: "end", name: "Done" },
  ],
});

describe("deleting a contributor type while something starts to require it", () => {
  it("a pipeline saved while the delete runs: the delete sees its node and answers 409 type_in_use", async () => {
    const q = await queueProject(t.deps, t.url);
    const temp = await createContributorType(t.deps, q.project.id, { name: "Temp" });
    const owner = client(t.url, q.owner.token);
    // Holds the project row: the save stops at its pipeline insert, after its type check.
    const lock = await holdRow("Project", q.project.id);
    let save: Promise<Res>, del: Promise<Res>;
    try {
      save = owner.post(`/api/projects/${q.project.id}/pipelines`, tempPipeline(temp.id));
      await until(lock.pid, 1);
      del = owner.delete(`/api/projects/${q.project.id}/contributor-types/${temp.id}`);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [s, d] = await Promise.all([save!, del!]);
    expect([s.status, ...code(d)]).toEqual([201, 409, "type_in_use"]);
    expect(d.body.error.details).toEqual({ nodes: 1, tasks: 0 });
    expect(await t.deps.db.contributorType.count({ where: { id: temp.id } })).toBe(1);
    expect(await dangling(q.project.id)).toEqual({ nodes: 0, tasks: 0 });
  });

  it("a delete that has counted nothing yet: a pipeline saved meanwhile still stops it (409), nothing dangles", async () => {
    const q = await queueProject(t.deps, t.url);
    const temp = await createContributorType(t.deps, q.project.id, { name: "Temp" });
    const owner = client(t.url, q.owner.token);
    // Holds the type row shared: the delete stops at its lock of the row.
    const lock = await holdRow("ContributorType", temp.id, "SHARE");
    let save: Promise<Res>, del: Promise<Res>;
    try {
      del = owner.delete(`/api/projects/${q.project.id}/contributor-types/${temp.id}`);
      await until(lock.pid, 1);
      save = owner.post(`/api/projects/${q.project.id}/pipelines`, tempPipeline(temp.id));
      await until(lock.pid, 2, save);
    } finally {
      await lock.release();
    }
    const [s, d] = await Promise.all([save!, del!]);
    expect([s.status, ...code(d)]).toEqual([201, 409, "type_in_use"]);
    expect(await dangling(q.project.id)).toEqual({ nodes: 0, tasks: 0 });
  });

  it("tasks imported assigned to the type while it is deleted: the delete answers 409, the tasks stay claimable", async () => {
    const q = await queueProject(t.deps, t.url, {
      nodes: [
        { key: "evaluate", kind: "task", name: "Evaluate", form: evaluateForm },
        { key: "done", kind: "end", name: "Done" },
      ],
    });
    const evaluators = q.types.Evaluators!;
    const owner = client(t.url, q.owner.token);
    // Holds the pipeline row: the import stops at its insert (the task's pipeline key), after its checks.
    const lock = await holdRow("Pipeline", q.pipeline.id);
    let imp: Promise<Res>, del: Promise<Res>;
    try {
      imp = owner.post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { q: 1 }, assignTo: { contributorTypeId: evaluators.id } }] });
      await until(lock.pid, 1);
      del = owner.delete(`/api/projects/${q.project.id}/contributor-types/${evaluators.id}`);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [i, d] = await Promise.all([imp!, del!]);
    expect([i.status, ...code(d)]).toEqual([201, 409, "type_in_use"]);
    expect(d.body.error.details).toEqual({ nodes: 0, tasks: 1 });
    expect(await dangling(q.project.id)).toEqual({ nodes: 0, tasks: 0 });
    expect((await mustClaim(q, evaluators.people[0]!, "evaluate")).taskId).toBe(i.body.taskIds[0]);
  });

  it("a person added with the type while it is deleted: no 500, they end up untyped", async () => {
    const q = await queueProject(t.deps, t.url);
    const temp = await createContributorType(t.deps, q.project.id, { name: "Temp" });
    const carol = await addOrgMember(t.deps, q.org.id, "member", "carol");
    const owner = client(t.url, q.owner.token);
    // Holds carol's user row: the add stops at its insert (the member's user key), after its type check.
    const lock = await holdRow("User", carol.id);
    let add: Promise<Res>, del: Promise<Res>;
    try {
      add = owner.post(`/api/projects/${q.project.id}/members`, { userId: carol.id, role: "contributor", contributorTypeId: temp.id });
      await until(lock.pid, 1);
      del = owner.delete(`/api/projects/${q.project.id}/contributor-types/${temp.id}`);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [a, d] = await Promise.all([add!, del!]);
    expect([a.status, d.status]).toEqual([201, 204]);
    const m = await t.deps.db.projectMember.findUniqueOrThrow({ where: { projectId_userId: { projectId: q.project.id, userId: carol.id } } });
    expect(m.contributorTypeId).toBeNull();
  });

  it("the same on the People page: a project grant with the type while it is deleted, no 500", async () => {
    const q = await queueProject(t.deps, t.url);
    const temp = await createContributorType(t.deps, q.project.id, { name: "Temp" });
    const carol = await addOrgMember(t.deps, q.org.id, "member", "carol");
    const lock = await holdRow("User", carol.id);
    let grant: Promise<Res>, del: Promise<Res>;
    try {
      grant = client(t.url, q.admin.token).patch(`/api/orgs/${q.org.id}/people/${carol.id}`, {
        projects: [{ projectId: q.project.id, role: "contributor", contributorTypeId: temp.id }],
      });
      await until(lock.pid, 1);
      del = client(t.url, q.owner.token).delete(`/api/projects/${q.project.id}/contributor-types/${temp.id}`);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [g, d] = await Promise.all([grant!, del!]);
    expect([g.status, d.status]).toEqual([200, 204]);
    const m = await t.deps.db.projectMember.findUniqueOrThrow({ where: { projectId_userId: { projectId: q.project.id, userId: carol.id } } });
    expect(m).toMatchObject({ role: "contributor", contributorTypeId: null });
  });
});

describe("taking a person off the team while tasks assigned to them are imported", () => {
  it("the removal waits for the import and reopens its tasks: another contributor claims them", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const owner = client(t.url, q.owner.token);
    const lock = await holdRow("Pipeline", q.pipeline.id);
    let imp: Promise<Res>, rem: Promise<Res>;
    try {
      imp = owner.post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { q: 1 }, assignTo: { userId: alice!.id } }] });
      await until(lock.pid, 1);
      rem = owner.delete(`/api/projects/${q.project.id}/members/${alice!.id}`);
      await until(lock.pid, 2, rem);
    } finally {
      await lock.release();
    }
    const [i, r] = await Promise.all([imp!, rem!]);
    expect([i.status, r.status]).toEqual([201, 204]);
    const task = await t.deps.db.task.findUniqueOrThrow({ where: { id: i.body.taskIds[0] } });
    expect(task.assignedUserId).toBeNull();
    expect((await mustClaim(q, bob!, "evaluate")).taskId).toBe(task.id);
  });

  it("a removal under way when the import checks: the import waits, then answers 400 and writes nothing", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice] = q.types.Evaluators!.people;
    const owner = client(t.url, q.owner.token);
    const [kept] = (await owner.post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { q: 0 }, assignTo: { userId: alice!.id } }] })).body.taskIds;
    // Holds a task kept for alice: the removal stops at reopening it, her member row already deleted.
    const lock = await holdRow("Task", kept);
    let imp: Promise<Res>, rem: Promise<Res>;
    try {
      rem = owner.delete(`/api/projects/${q.project.id}/members/${alice!.id}`);
      await until(lock.pid, 1);
      imp = owner.post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { q: 1 }, assignTo: { userId: alice!.id } }] });
      await until(lock.pid, 2, imp);
    } finally {
      await lock.release();
    }
    const [r, i] = await Promise.all([rem!, imp!]);
    expect([r.status, ...code(i)]).toEqual([204, 400, "invalid_request"]);
    expect(i.body.error.details.issues).toEqual([{ in: "body", path: "tasks.0.assignTo.userId", message: "Not a contributor of this project" }]);
    expect(await t.deps.db.task.count({ where: { pipelineId: q.pipeline.id, assignedUserId: alice!.id, status: { not: "completed" } } })).toBe(0);
    expect(await t.deps.db.task.count({ where: { pipelineId: q.pipeline.id } })).toBe(1);
  });

  it("made a viewer while the import runs: same, the task is not left with them", async () => {
    const q = await queueProject(t.deps, t.url);
    const [alice, bob] = q.types.Evaluators!.people;
    const owner = client(t.url, q.owner.token);
    const lock = await holdRow("Pipeline", q.pipeline.id);
    let imp: Promise<Res>, upd: Promise<Res>;
    try {
      imp = owner.post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { q: 1 }, assignTo: { userId: alice!.id } }] });
      await until(lock.pid, 1);
      upd = owner.patch(`/api/projects/${q.project.id}/members/${alice!.id}`, { role: "viewer" });
      await until(lock.pid, 2, upd);
    } finally {
      await lock.release();
    }
    const [i, u] = await Promise.all([imp!, upd!]);
    expect([i.status, u.status]).toEqual([201, 200]);
    const task = await t.deps.db.task.findUniqueOrThrow({ where: { id: i.body.taskIds[0] } });
    expect(task.assignedUserId).toBeNull();
    expect((await mustClaim(q, bob!, "evaluate")).taskId).toBe(task.id);
  });
});
