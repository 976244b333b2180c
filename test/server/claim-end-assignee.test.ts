// A claim that ends without a submission (released, revoked, expired) puts its
// task back where its assignment says, and whether the assignment applies there
// depends on the assignee's standing (their contributor type). So ending the
// claim reads the assignee's member row FOR SHARE before it touches the claim
// (pipelines_end_claims, migration end_claims_lock_assignee): a change of their
// type under way is waited for and seen, and one that comes after waits for the
// claim's end to commit, so its rebuild sees the task where the end put it. The
// member row first, then the claim: the order a change of role takes them, so a
// batch of expiries holding the assignee's own claims does not deadlock with it.
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { keysOf } from "../../server/src/queue/keys";
import { sweepOnce } from "../../server/src/queue/sweeper";
import type { TestUser } from "../helpers/factories";
import { client } from "../helpers/http";
import { settled } from "../helpers/locks";
import { evaluateForm, goodAnswers, importTasks, mustClaim, queueProject, submitAs, type Held, type QueueProject } from "../helpers/queue";
import { raceApp } from "../helpers/races";

const clock = new ManualClock(new Date("2026-12-08T10:00:00Z"));
const t = raceApp({ clock });
const { until } = t;

/**
 * evaluate (Evaluators: alice, bob) → evaluate2 (Writers: w1, w2) → done, and
 * `n` tasks assigned to Alice moved to evaluate2, where the assignment gives way
 * (she is an Evaluator): each held there by w1.
 */
async function atSecondNode(n: number) {
  const q0 = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", people: 2 }, { name: "Writers", people: 2 }] });
  const nodes = [
    { key: "evaluate", kind: "task", name: "Evaluate", contributorTypeId: q0.types.Evaluators!.id, form: evaluateForm },
    { key: "evaluate2", kind: "task", name: "Evaluate 2", contributorTypeId: q0.types.Writers!.id, form: evaluateForm },
    { key: "done", kind: "end", name: "Done" },
  ];
  const p = await client(t.url, q0.owner.token).post(`/api/projects/${q0.project.id}/pipelines`, { name: "two stages", nodes });
  expect(p.status, p.text).toBe(201);
  const q: QueueProject = { ...q0, pipeline: p.body, node: (key: string) => (p.body.nodes as Array<{ id: string; key: string }>).find((x) => x.key === key)!.id };
  const [alice] = q.types.Evaluators!.people as [TestUser];
  const [w1, w2] = q.types.Writers!.people as [TestUser, TestUser];
  const ids = await importTasks(q, Array.from({ length: n + 1 }, (_, i) => ({ payload: { i }, assignTo: { userId: alice.id } })));
  const held: Held[] = [];
  for (let i = 0; i < n; i++) {
    const a = await mustClaim(q, alice, "evaluate");
    expect((await submitAs(q, alice, a, { answers: goodAnswers })).status).toBe(201);
    held.push(await mustClaim(q, w1, "evaluate2"));
  }
  /** Alice made a Writer in a transaction of the test's own, left open (no rebuild follows it). */
  const retype = async () => {
    const c = new pg.Client({ connectionString: inject("databaseUrl") });
    await c.connect();
    await c.query("BEGIN");
    await c.query(`UPDATE "ProjectMember" SET "contributorTypeId" = $1 WHERE "projectId" = $2 AND "userId" = $3`, [q.types.Writers!.id, q.project.id, alice.id]);
    const pid: number = (await c.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    return { c, pid };
  };
  const k = keysOf(q.project.id);
  /** Where Redis has the task at evaluate2: Alice's own ready set, or open to Writers. */
  const placed = async (taskId: string) => {
    const node = q.node("evaluate2");
    if ((await t.deps.redis.zscore(k.readyUser(node, alice.id), taskId)) !== null) return "alice";
    if ((await t.deps.redis.zscore(k.ready(node), taskId)) !== null) return "open";
    return "elsewhere";
  };
  return { q, alice, w1, w2, ids, held, retype, placed };
}

describe("a claim's end and a change of its task's assignee under way", () => {
  it.each([
    ["revoked by an Owner", (s: Awaited<ReturnType<typeof atSecondNode>>) => client(t.url, s.q.owner.token).post(`/api/claims/${s.held[0]!.id}/revoke`)],
    ["released by its holder", (s: Awaited<ReturnType<typeof atSecondNode>>) => client(t.url, s.w1.token).delete(`/api/claims/${s.held[0]!.id}`, { token: s.held[0]!.token })],
  ])("%s: waits for the assignee's new type to commit and places the task by it", async (_how, end) => {
    const s = await atSecondNode(1);
    expect(await s.placed(s.held[0]!.taskId)).toBe("elsewhere"); // held by w1
    const { c, pid } = await s.retype();
    try {
      const ended = end(s);
      await until(pid, 1, ended);
      expect(await settled(ended)).toBe(false);
      await c.query("COMMIT");
      expect((await ended).status).toBe(204);
    } finally {
      await c.end();
    }
    // Alice, now a Writer, may work evaluate2: the assignment applies there, the task is hers alone.
    expect(await s.placed(s.held[0]!.taskId)).toBe("alice");
    expect((await client(t.url, s.w2.token).post(`/api/projects/${s.q.project.id}/claims`, { nodeId: s.q.node("evaluate2") })).body.error.code).toBe("queue_empty");
  });

  it("an expiry batch holding the assignee's own claim: the change of role takes member row then claim, the batch waits, neither deadlocks", async () => {
    const s = await atSecondNode(1);
    // Alice holds a claim of her own too (her last task, at evaluate): both expire in one sweep.
    const own = await mustClaim(s.q, s.alice, "evaluate");
    const { c, pid } = await s.retype();
    try {
      clock.advance(3_600_000);
      const sweep = sweepOnce(t.deps, { projects: [s.q.project.id] });
      await until(pid, 1, sweep);
      expect(await settled(sweep)).toBe(false);
      // The change of role goes on as queue/leave.ts does (member row held, then her claims): not blocked by the batch.
      const revoked = await c.query(`SELECT pipelines_end_claims($1::text[], $2::bigint[], 'revoked', $3::timestamptz, NULL, NULL, $4) AS r`, [
        [own.id], [null], clock.now(), s.q.owner.id,
      ]);
      expect(revoked.rowCount).toBe(1);
      await c.query("COMMIT");
      await sweep;
    } finally {
      await c.end();
    }
    const outcomes = await t.deps.db.claim.findMany({ where: { id: { in: [own.id, s.held[0]!.id] } }, select: { id: true, outcome: true } });
    expect(Object.fromEntries(outcomes.map((o) => [o.id, o.outcome]))).toEqual({ [own.id]: "revoked", [s.held[0]!.id]: "expired" });
    expect(await s.placed(s.held[0]!.taskId)).toBe("alice");
  });

  it("a project's delete under way (claims cleared, then the member rows): a release waits for it behind the project's lock, no deadlock", async () => {
    const s = await atSecondNode(1);
    const p = s.q.project.id;
    // The delete's order (projects/service.ts): the project's lock (7302) exclusively, the claims, then the
    // member rows with the project. Rolled back at the end, so the release then goes on.
    const c = new pg.Client({ connectionString: inject("databaseUrl") });
    await c.connect();
    try {
      await c.query("BEGIN");
      await c.query("SELECT pg_advisory_xact_lock(7302, hashtext($1::text))", [p]);
      await c.query(`DELETE FROM "Claim" WHERE "projectId" = $1`, [p]);
      const pid: number = (await c.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const released = client(t.url, s.w1.token).delete(`/api/claims/${s.held[0]!.id}`, { token: s.held[0]!.token });
      await until(pid, 1, released);
      expect(await settled(released)).toBe(false);
      // Were the release holding Alice's member row while it waited for its claim, this would deadlock.
      await c.query(`DELETE FROM "ProjectMember" WHERE "projectId" = $1`, [p]);
      await c.query("ROLLBACK");
      const r = await released;
      expect(r.status, r.text).toBe(204);
    } finally {
      await c.end();
    }
  });

  it("an Owner's cancel revoking the claim takes the assignee's member row before claim and task: a removal under way is waited for, no deadlock", async () => {
    const s = await atSecondNode(1);
    const taskId = s.held[0]!.taskId;
    // Alice made a Viewer, as queue/leave.ts does it: her member row, then the tasks assigned to her reopened.
    const { c, pid } = await s.retype();
    try {
      await c.query(`UPDATE "ProjectMember" SET role = 'viewer', "contributorTypeId" = NULL WHERE "projectId" = $1 AND "userId" = $2`, [s.q.project.id, s.alice.id]);
      const cancel = client(t.url, s.q.owner.token).patch(`/api/tasks/${taskId}`, { status: "cancelled" });
      await until(pid, 1, cancel);
      expect(await settled(cancel)).toBe(false);
      const reopened = await c.query(`UPDATE "Task" SET "assignedUserId" = NULL WHERE "projectId" = $1 AND "assignedUserId" = $2 AND status <> 'completed'`, [
        s.q.project.id, s.alice.id,
      ]);
      expect(reopened.rowCount).toBe(2);
      await c.query("COMMIT");
      const r = await cancel;
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ status: "cancelled", assignedUserId: null });
    } finally {
      await c.end();
    }
    expect(await t.deps.db.claim.findUniqueOrThrow({ where: { id: s.held[0]!.id } })).toMatchObject({ outcome: "revoked" });
  });
});
