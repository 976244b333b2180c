// Deleting a contributor type whose only work left is cancelled tasks: they do
// not stop the delete (409 type_in_use counts queued and claimed tasks only);
// the delete clears their assignment to it, each with a history step and the
// count in the audit entry, so a task reopened later is open at its node to
// whoever may work it, never kept for a type that is gone. A reopen racing the
// delete meets it on the type's row: whichever commits second sees the first.
// So does a reassignment to one of the type's members: the edit takes the
// types before the members' rows, as the delete does.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { client, type Res } from "../helpers/http";
import { hold, until as untilWaiting } from "../helpers/locks";
import { importTasks, mustClaim, queueProject, type QueueProject } from "../helpers/queue";

let t: TestApp;
let watcher: pg.Client;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
  watcher = new pg.Client({ connectionString: inject("databaseUrl") });
  await watcher.connect();
});
afterAll(async () => {
  await watcher.end();
  await t.close();
});

const until = (pid: number, n: number, request?: Promise<unknown>) => untilWaiting(watcher, pid, n, request);
const code = (r: Res) => [r.status, r.body?.error?.code];

/** One node any contributor may work; a Temp type no node requires, whose tasks are assigned to it. */
async function project() {
  const q = await queueProject(t.deps, t.url, {
    lanes: [{ name: "Evaluators", people: 1 }, { name: "Temp", people: 1 }],
    nodes: [
      { key: "rate", kind: "task", name: "Rate", form: { criteria: [{ key: "ok", label: "OK?", kind: "boolean", required: true }] } },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  const temp = q.types.Temp!.id;
  const ids = await importTasks(q, [{ payload: { n: 0 }, assignTo: { contributorTypeId: temp } }, { payload: { n: 1 }, assignTo: { contributorTypeId: temp } }]);
  return { q, temp, ids };
}
const edit = (q: QueueProject, id: string, body: unknown) => client(t.url, q.owner.token).patch(`/api/tasks/${id}`, body);
const deleteType = (q: QueueProject, typeId: string) => client(t.url, q.owner.token).delete(`/api/projects/${q.project.id}/contributor-types/${typeId}`);

/** Tasks of the project, not completed, assigned to a type it no longer has. */
async function dangling(projectId: string) {
  const [row] = await t.deps.db.$queryRaw<Array<{ n: number }>>`
    SELECT count(*)::int AS n FROM "Task" k WHERE k."projectId" = ${projectId} AND k.status <> 'completed' AND k."assignedTypeId" IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM "ContributorType" c WHERE c.id = k."assignedTypeId")`;
  return row!.n;
}

describe("deleting a type whose only work left is cancelled tasks", () => {
  it("is allowed; its cancelled tasks lose the assignment (history, audit), and reopened they are open to the node's contributors", async () => {
    const { q, temp, ids } = await project();
    for (const id of ids) expect((await edit(q, id, { status: "cancelled" })).status).toBe(200);
    const res = await deleteType(q, temp);
    expect(res.status, res.text).toBe(204);
    expect(await t.deps.db.contributorType.count({ where: { id: temp } })).toBe(0);
    const rows = await t.deps.db.task.findMany({ where: { id: { in: ids } } });
    expect(rows.map((r) => [r.status, r.assignedTypeId])).toEqual([
      ["cancelled", null],
      ["cancelled", null],
    ]);
    const d = (await client(t.url, q.owner.token).get(`/api/tasks/${ids[0]}`)).body;
    expect(d.history.at(-1)).toMatchObject({
      type: "updated",
      by: { id: q.owner.id },
      data: { assignment: { from: { contributorTypeId: temp }, to: null }, reason: "type_deleted" },
    });
    const audit = await t.deps.db.auditEntry.findFirst({ where: { orgId: q.org.id, action: "contributor_type.delete", resourceId: temp } });
    expect(audit?.after).toEqual({ cancelledTasksUnassigned: 2 });

    const reopened = await edit(q, ids[0]!, { status: "queued" });
    expect(reopened.status, reopened.text).toBe(200);
    expect(reopened.body).toMatchObject({ status: "queued", assignedTypeId: null, assignmentApplies: null });
    // The Temp contributor is untyped now; the Evaluator, who could not claim it while it was Temp's, can.
    expect((await mustClaim(q, q.types.Evaluators!.people[0]!, "rate")).taskId).toBe(ids[0]);
    expect(await dangling(q.project.id)).toBe(0);
  });

  it("a queued task of the type still stops the delete (409 type_in_use), and its cancelled tasks keep their assignment", async () => {
    const { q, temp, ids } = await project();
    expect((await edit(q, ids[0]!, { status: "cancelled" })).status).toBe(200);
    const res = await deleteType(q, temp);
    expect(code(res)).toEqual([409, "type_in_use"]);
    expect(res.body.error.details).toEqual({ nodes: 0, tasks: 1 });
    const rows = await t.deps.db.task.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => r.assignedTypeId)).toEqual([temp, temp]);
    expect(await t.deps.db.taskEvent.count({ where: { taskId: ids[0], type: "updated" } })).toBe(0);
  });
});

describe("a reopen racing the delete of its task's type", () => {
  it("the reopen first: the delete waits for it, then counts the task open and answers 409", async () => {
    const { q, temp, ids } = await project();
    for (const id of ids) expect((await edit(q, id, { status: "cancelled" })).status).toBe(200);
    // Holds the task row: the reopen stops at its lock of the task, after its checks.
    const lock = await hold(`SELECT 1 FROM "Task" WHERE id = $1 FOR UPDATE`, [ids[0]]);
    let reopen: Promise<Res>, del: Promise<Res>;
    try {
      reopen = edit(q, ids[0]!, { status: "queued" });
      await until(lock.pid, 1);
      del = deleteType(q, temp);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [r, d] = await Promise.all([reopen!, del!]);
    expect([r.status, ...code(d)]).toEqual([200, 409, "type_in_use"]);
    expect(r.body).toMatchObject({ status: "queued", assignedTypeId: temp });
    expect(await dangling(q.project.id)).toBe(0);
    expect((await mustClaim(q, q.types.Temp!.people[0]!, "rate")).taskId).toBe(ids[0]);
  });

  it("the delete first: the reopen waits for it, then reopens the task with no assignment", async () => {
    const { q, temp, ids } = await project();
    for (const id of ids) expect((await edit(q, id, { status: "cancelled" })).status).toBe(200);
    // Holds the task row: the delete stops at clearing its assignment, the type's row locked.
    const lock = await hold(`SELECT 1 FROM "Task" WHERE id = $1 FOR UPDATE`, [ids[0]]);
    let reopen: Promise<Res>, del: Promise<Res>;
    try {
      del = deleteType(q, temp);
      await until(lock.pid, 1);
      reopen = edit(q, ids[0]!, { status: "queued" });
      await until(lock.pid, 2, reopen);
    } finally {
      await lock.release();
    }
    const [r, d] = await Promise.all([reopen!, del!]);
    expect([r.status, d.status]).toEqual([200, 204]);
    expect(r.body).toMatchObject({ status: "queued", assignedTypeId: null });
    expect(await dangling(q.project.id)).toBe(0);
    expect((await mustClaim(q, q.types.Evaluators!.people[0]!, "rate")).taskId).toBe(ids[0]);
  });
});

describe("a cancelled task reassigned to a member of its type while the type is deleted", () => {
  it("the delete first: the edit waits for it, then assigns the task to the person, never a 500", async () => {
    const { q, temp, ids } = await project();
    for (const id of ids) expect((await edit(q, id, { status: "cancelled" })).status).toBe(200);
    const person = q.types.Temp!.people[0]!;
    // Holds the type's row: the delete queues on it first, then the edit (at the task's type, before any member row).
    const lock = await hold(`SELECT 1 FROM "ContributorType" WHERE id = $1 FOR UPDATE`, [temp]);
    let del: Promise<Res>, reassign: Promise<Res>;
    try {
      del = deleteType(q, temp);
      await until(lock.pid, 1);
      reassign = edit(q, ids[0]!, { assignment: { userId: person.id } });
      await until(lock.pid, 2, reassign);
    } finally {
      await lock.release();
    }
    const [d, r] = await Promise.all([del!, reassign!]);
    expect([d.status, r.status], d.text + r.text).toEqual([204, 200]);
    expect(r.body).toMatchObject({ status: "cancelled", assignedUserId: person.id, assignedTypeId: null });
    // The delete's step first (it committed first), then the edit's, from no assignment.
    const steps = await t.deps.db.taskEvent.findMany({ where: { taskId: ids[0], type: "updated" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(steps.map((e) => (e.data as { assignment: unknown }).assignment)).toEqual([
      { from: { contributorTypeId: temp }, to: null },
      { from: null, to: { userId: person.id } },
    ]);
    expect(await dangling(q.project.id)).toBe(0);
  });

  it("the edit first: the delete waits for it, then clears the other cancelled task only", async () => {
    const { q, temp, ids } = await project();
    for (const id of ids) expect((await edit(q, id, { status: "cancelled" })).status).toBe(200);
    const person = q.types.Temp!.people[0]!;
    // Holds the task row: the edit stops at its lock of the task, holding the type and member rows.
    const lock = await hold(`SELECT 1 FROM "Task" WHERE id = $1 FOR UPDATE`, [ids[0]]);
    let del: Promise<Res>, reassign: Promise<Res>;
    try {
      reassign = edit(q, ids[0]!, { assignment: { userId: person.id } });
      await until(lock.pid, 1);
      del = deleteType(q, temp);
      await until(lock.pid, 2, del);
    } finally {
      await lock.release();
    }
    const [r, d] = await Promise.all([reassign!, del!]);
    expect([r.status, d.status], r.text + d.text).toEqual([200, 204]);
    const rows = await t.deps.db.task.findMany({ where: { id: { in: ids } } });
    expect(ids.map((id) => rows.find((k) => k.id === id)).map((k) => [k?.assignedUserId, k?.assignedTypeId])).toEqual([
      [person.id, null],
      [null, null],
    ]);
    const audit = await t.deps.db.auditEntry.findFirst({ where: { orgId: q.org.id, action: "contributor_type.delete", resourceId: temp } });
    expect(audit?.after).toEqual({ cancelledTasksUnassigned: 1 });
  });
});
