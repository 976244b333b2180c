// Leases and fencing with a movable clock (no sleeping): expiry returns the
// task, a late submit with the old token is refused and writes nothing while
// the new holder's succeeds; heartbeats extend up to the node's maximum; the
// sweeper yields to a heartbeat that just landed; revoke kills the token.
// Clocks here sit in 2031 so no other file's real-time sweeper finds them due.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../server/src/events/bus";
import { ManualClock } from "../../server/src/infra/clock";
import { keysOf } from "../../server/src/queue/keys";
import { sweepOnce } from "../../server/src/queue/sweeper";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { goodAnswers, importTasks, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";

const clock = new ManualClock("2031-03-03T10:00:00Z");
let t: TestApp;
const events: DomainEvent[] = [];
beforeAll(async () => {
  t = await startTestApp({ clock, config: { RATE_LIMIT_PER_MIN: 100_000, CLAIM_EXPIRING_SECONDS: 20 } });
  t.deps.bus.onAny((e) => events.push(e));
});
afterAll(() => t.close());

const sweep = (q: QueueProject) => sweepOnce(t.deps, { projects: [q.project.id] });
const heartbeat = (who: { token: string }, c: { id: string; token: string }) => client(t.url, who.token).post(`/api/claims/${c.id}/heartbeat`, { token: c.token });
const at = (s: number) => new Date(Date.parse("2031-03-03T10:00:00Z") + s * 1000).toISOString();

async function leaseProject(leaseSeconds: number, maxLeaseSeconds?: number) {
  clock.set("2031-03-03T10:00:00Z");
  const form = { criteria: [{ key: "accuracy", label: "Accuracy", kind: "rating", required: true }, { key: "helpful", label: "Helpful", kind: "boolean", required: true }] };
  return queueProject(t.deps, t.url, {
    nodes: [
      { key: "evaluate", kind: "task", name: "Evaluate", leaseSeconds, ...(maxLeaseSeconds ? { maxLeaseSeconds } : {}), form },
      { key: "done", kind: "end", name: "Done" },
    ],
    lanes: [{ name: "Evaluators", people: 3 }],
  });
}

describe("expiry and fencing", () => {
  it("returns an expired claim to the queue; the late holder gets 409 and writes nothing; the new holder submits", async () => {
    const q = await leaseProject(60);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const old = await mustClaim(q, alice!, "evaluate");
    expect(old.expiresAt).toBe(at(60));

    clock.set(at(59));
    expect((await sweep(q)).expired).toBe(0);
    clock.set(at(61));
    expect((await sweep(q)).expired).toBe(1);
    expect(await t.deps.db.claim.findUniqueOrThrow({ where: { id: old.id } })).toMatchObject({ outcome: "expired" });
    expect(await t.deps.db.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "queued", claimEpoch: 1 });
    expect(events.some((e) => e.type === "task.released" && e.claimId === old.id && e.reason === "expired")).toBe(true);

    const fresh = await mustClaim(q, bob!, "evaluate");
    expect(fresh.taskId).toBe(id);
    expect(fresh.token.split(".")[0]).toBe("2");

    const late = await submitAs(q, alice!, old, { answers: goodAnswers });
    expect([late.status, late.body.error.code]).toEqual([409, "claim_lost"]);
    expect((await heartbeat(alice!, old)).body.error.code).toBe("claim_lost");
    // a forged token carrying the new epoch does not pass either
    const forged = await client(t.url, alice!.token).post(`/api/claims/${fresh.id}/submit`, { token: `2.${old.token.split(".")[1]}`, answers: goodAnswers });
    expect(forged.status).toBe(403);
    expect(await t.deps.db.submission.count({ where: { taskId: id } })).toBe(0);
    expect(await t.deps.db.claim.findUniqueOrThrow({ where: { id: fresh.id } })).toMatchObject({ outcome: "active", userId: bob!.id });

    const ok = await submitAs(q, bob!, fresh, { answers: goodAnswers });
    expect(ok.status).toBe(201);
    expect(await t.deps.db.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "completed" });
    const history = (await client(t.url, q.owner.token).get(`/api/tasks/${id}`)).body.history.map((h: { type: string }) => h.type);
    expect(history).toEqual(["imported", "claimed", "expired", "claimed", "submitted", "completed"]);
  });

  it("extends on heartbeat, caps at the node's maximum, and expires after the cap", async () => {
    const q = await leaseProject(60, 120);
    await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    clock.set(at(40));
    expect((await heartbeat(alice, c)).body).toEqual({ expiresAt: at(100) });
    clock.set(at(90));
    expect((await sweep(q)).expired).toBe(0);
    clock.set(at(95));
    expect((await heartbeat(alice, c)).body).toEqual({ expiresAt: at(120) }); // capped: claimed at 0, max 120
    clock.set(at(110));
    expect((await heartbeat(alice, c)).body).toEqual({ expiresAt: at(120) });
    clock.set(at(121));
    expect((await sweep(q)).expired).toBe(1);
    expect((await heartbeat(alice, c)).body.error.code).toBe("claim_lost");
  });

  it("ends a lease at its deadline even before the sweeper runs: a late heartbeat or submit is refused and writes nothing", async () => {
    const q = await leaseProject(60, 240);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    clock.set(at(61)); // past the deadline, within the cap; no sweep yet
    expect((await heartbeat(alice, c)).body.error.code).toBe("claim_lost");
    expect((await submitAs(q, alice, c, { answers: goodAnswers })).body.error.code).toBe("claim_lost");
    expect(await t.deps.db.submission.count({ where: { taskId: id! } })).toBe(0);
    const row = await t.deps.db.claim.findUniqueOrThrow({ where: { id: c.id } });
    expect({ outcome: row.outcome, expiresAt: row.expiresAt.toISOString() }).toEqual({ outcome: "active", expiresAt: at(60) });
    expect((await sweep(q)).expired).toBe(1);
    expect((await mustClaim(q, alice, "evaluate")).taskId).toBe(id);
  });

  it("gives a claim that just ended a moment for its own settle before rebuilding the project over it", async () => {
    const q = await leaseProject(60);
    await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    const k = keysOf(q.project.id);
    const epoch = await t.deps.redis.get(k.epoch);
    // Released in PostgreSQL at the deadline; its Redis follow-up has not run yet.
    clock.set(at(61));
    await t.deps.db.claim.update({ where: { id: c.id }, data: { outcome: "released", endedAt: new Date(at(61)) } });
    await t.deps.db.task.update({ where: { id: c.taskId }, data: { status: "queued" } });
    await sweep(q);
    expect(await t.deps.redis.get(k.epoch)).toBe(epoch); // no rebuild yet
    // Still there a while later: the follow-up never came, so the project is rebuilt from PostgreSQL.
    clock.set(at(67));
    await sweep(q);
    expect(await t.deps.redis.get(k.epoch)).toBeNull();
    expect((await mustClaim(q, alice, "evaluate")).taskId).toBe(c.taskId);
  });

  it("does not expire a claim whose heartbeat reached PostgreSQL before Redis", async () => {
    const q = await leaseProject(60);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    // The heartbeat's write committed; its Redis follow-up has not run yet.
    await t.deps.db.claim.update({ where: { id: c.id }, data: { expiresAt: new Date(at(130)) } });
    clock.set(at(70));
    expect((await sweep(q)).expired).toBe(0);
    expect(Number(await t.deps.redis.zscore(keysOf(q.project.id).deadlines, id!))).toBe(Date.parse(at(130)));
    expect((await submitAs(q, alice, c, { answers: goodAnswers })).status).toBe(201);
  });

  it("warns the holder once per deadline before expiry", async () => {
    const q = await leaseProject(100);
    await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    const warnings = () => events.filter((e) => e.type === "claim.expiring" && e.claimId === c.id);
    clock.set(at(79));
    await sweep(q);
    expect(warnings()).toHaveLength(0);
    clock.set(at(81)); // 20 s (CLAIM_EXPIRING_SECONDS) before the deadline
    await sweep(q);
    await sweep(q);
    expect(warnings()).toEqual([expect.objectContaining({ userId: alice.id, expiresAt: at(100) })]);
    expect((await heartbeat(alice, c)).body.expiresAt).toBe(at(181));
    clock.set(at(162));
    await sweep(q);
    expect(warnings().map((w) => (w as { expiresAt: string }).expiresAt)).toEqual([at(100), at(181)]);
  });

  it("warns within the last 30% of a lease shorter than the warning time, not at once nor at every heartbeat", async () => {
    const q = await leaseProject(10);
    await importTasks(q, [{ payload: {} }]);
    const alice = q.types.Evaluators!.people[0]!;
    const c = await mustClaim(q, alice, "evaluate");
    const warnings = () => events.filter((e) => e.type === "claim.expiring" && e.claimId === c.id);
    await sweep(q);
    clock.set(at(4));
    expect((await heartbeat(alice, c)).body.expiresAt).toBe(at(14));
    await sweep(q);
    expect(warnings()).toHaveLength(0);
    clock.set(at(11.5)); // 2.5 s left of 14: under 30% of 10 s
    await sweep(q);
    expect(warnings()).toEqual([expect.objectContaining({ expiresAt: at(14) })]);
  });
});

describe("revoking", () => {
  it("lets an admin see active claims and revoke one: the holder's token dies, the task is back", async () => {
    const q = await leaseProject(600);
    const [id] = await importTasks(q, [{ payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const c = await mustClaim(q, alice!, "evaluate");
    const list = await client(t.url, q.owner.token).get(`/api/projects/${q.project.id}/claims`);
    expect(list.body.items).toEqual([expect.objectContaining({ id: c.id, taskId: id, user: expect.objectContaining({ id: alice!.id }) })]);
    expect(JSON.stringify(list.body)).not.toContain(c.token);
    expect((await client(t.url, bob!.token).post(`/api/claims/${c.id}/revoke`)).status).toBe(403);

    expect((await client(t.url, q.owner.token).post(`/api/claims/${c.id}/revoke`)).status).toBe(204);
    expect((await submitAs(q, alice!, c, { answers: goodAnswers })).body.error.code).toBe("claim_lost");
    expect((await heartbeat(alice!, c)).body.error.code).toBe("claim_lost");
    expect((await client(t.url, q.admin.token).post(`/api/claims/${c.id}/revoke`)).body.error.code).toBe("claim_not_active");
    expect(events.some((e) => e.type === "task.released" && e.claimId === c.id && e.reason === "revoked")).toBe(true);
    const audit = await t.deps.db.auditEntry.findFirst({ where: { action: "claim.revoke", resourceId: c.id } });
    expect(audit?.actorUserId).toBe(q.owner.id);
    expect((await mustClaim(q, bob!, "evaluate")).taskId).toBe(id);
    const revoked = (await client(t.url, q.owner.token).get(`/api/tasks/${id}`)).body.history.find((h: { type: string }) => h.type === "revoked");
    expect(revoked.data).toEqual({ by: q.owner.id });
    // The history names both: the holder the revoke concerned, and the admin who did it.
    expect(revoked.user.id).toBe(alice!.id);
    expect(revoked.by).toEqual({ id: q.owner.id, name: q.owner.name });
  });
});

describe("a claim read after it ended", () => {
  it("answers 409 claim_lost saying how it ended (submitted, released, expired, revoked), for the task page to say so", async () => {
    const q = await leaseProject(60);
    await importTasks(q, [{ payload: {} }, { payload: {} }, { payload: {} }, { payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const me = client(t.url, alice!.token);
    // One claim at a time (the lane's limit): each ends before the next is taken.
    const submitted = await mustClaim(q, alice!, "evaluate");
    expect((await submitAs(q, alice!, submitted, { answers: goodAnswers })).status).toBe(201);
    const released = await mustClaim(q, alice!, "evaluate");
    expect((await me.delete(`/api/claims/${released.id}`, { token: released.token })).status).toBe(204);
    const revoked = await mustClaim(q, alice!, "evaluate");
    expect((await client(t.url, q.owner.token).post(`/api/claims/${revoked.id}/revoke`)).status).toBe(204);
    const expired = await mustClaim(q, alice!, "evaluate");
    clock.set(at(61));
    expect((await sweep(q)).expired).toBe(1);
    // Someone else holds the expired claim's task now: the old claim still answers as expired.
    expect((await mustClaim(q, bob!, "evaluate", expired.taskId)).taskId).toBe(expired.taskId);

    for (const [c, outcome] of [[submitted, "submitted"], [released, "released"], [expired, "expired"], [revoked, "revoked"]] as const) {
      const res = await me.get(`/api/claims/${c.id}`);
      expect([res.status, res.body.error.code]).toEqual([409, "claim_lost"]);
      expect(res.body.error.details).toEqual({ outcome, nodeId: q.node("evaluate") });
    }
    // Someone else's ended claim tells them nothing of it.
    const theirs = await client(t.url, bob!.token).get(`/api/claims/${submitted.id}`);
    expect([theirs.status, theirs.body.error.details]).toEqual([403, undefined]);
  });
});
