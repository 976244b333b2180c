// Deleting a contributor type whose only work left is cancelled tasks: they do
// not stop the delete (409 type_in_use counts queued and claimed tasks only);
// the delete clears their assignment to it, each with a history step and the
// count in the audit entry, so a task reopened later is open at its node to
// whoever may work it, never kept for a type that is gone. A reopen racing the
// delete meets it on the type's row: whichever commits second sees the first.
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
