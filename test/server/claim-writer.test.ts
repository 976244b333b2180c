// Claim records that queue up behind one in PostgreSQL leave together as one
// statement (claim-writer.ts). Shows: each claim of a shared statement gets its
// own record (token, task, history) exactly as a lone one would, and a shared
// statement that PostgreSQL refuses is recorded again claim by claim, so the
// one bad record fails alone and leaves nothing behind; a shared statement lost
// with its connection fails every claim in it as unavailable, and commits none.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { isUnavailable } from "../../server/src/http/error-handler";
import { loadActor } from "../../server/src/access/actor";
import { claimTask } from "../../server/src/queue/engine";
import { ClaimWriter, claimWriterOf } from "../../server/src/queue/claim-writer";
import { sqlOf } from "../../server/src/queue/pg";
import type { ClaimRecord } from "../../server/src/queue/sql";
import { startTestApp, type TestApp } from "../helpers/app";
import { importTasks, queueProject, type QueueProject } from "../helpers/queue";

let t: TestApp;
let q: QueueProject;
beforeAll(async () => {
  t = await startTestApp();
  q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 1, people: 24 }, { name: "Reviewers", people: 1 }] });
  await importTasks(q, Array.from({ length: 40 }, (_, i) => ({ payload: { i } })));
});
afterAll(() => t.close());

describe("claim records that queue up", () => {
  it("share a statement, and each claim gets its own record", async () => {
    const writer = claimWriterOf(sqlOf(t.deps));
    const before = { ...writer.stats };
    const timed: Array<[number, number]> = [];
    const listen = (queued: number, statement: number) => void timed.push([queued, statement]);
    writer.timings.add(listen);
    const actors = await Promise.all(q.types.Evaluators!.people.map((p) => loadActor(t.deps.db, p.id).then((a) => a!)));
    const claims = await Promise.all(actors.map((a) => claimTask(t.deps, a, q.project.id, { nodeId: q.node("evaluate") })));

    const statements = writer.stats.statements - before.statements;
    expect(writer.stats.claims - before.claims).toBe(24);
    expect(statements).toBeLessThan(24);
    expect(writer.stats.largest).toBeGreaterThan(1);

    expect(new Set(claims.map((c) => c.task.id)).size).toBe(24);
    const rows = await t.deps.db.claim.findMany({ where: { id: { in: claims.map((c) => c.claim.id) } } });
    expect(rows).toHaveLength(24);
    for (const [i, c] of claims.entries()) {
      const row = rows.find((r) => r.id === c.claim.id)!;
      expect(row).toMatchObject({ taskId: c.task.id, userId: actors[i]!.userId, token: c.claim.token, outcome: "active" });
      expect(c.claim.token.startsWith(`${row.epoch}.`)).toBe(true);
      expect(c.task.payload).toEqual(expect.objectContaining({ i: expect.any(Number) }));
    }
    const tasks = await t.deps.db.task.findMany({ where: { id: { in: claims.map((c) => c.task.id) } } });
    expect(tasks.every((x) => x.status === "claimed")).toBe(true);
    expect(await t.deps.db.taskEvent.count({ where: { claimId: { in: claims.map((c) => c.claim.id) }, type: "claimed" } })).toBe(24);

    // Operators read the same sharing from /metrics.
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const total = (name: string) => Number(text.match(new RegExp(`^${name} (\\d+)$`, "m"))?.[1]);
    expect(total("pipelines_claim_records_total")).toBe(writer.stats.claims);
    expect(total("pipelines_claim_record_statements_total")).toBe(writer.stats.statements);
    expect(writer.stats.statements).toBeLessThan(writer.stats.claims);

    // Each claim's time is told: queued behind the statement in flight, then its own;
    // the claims that queued up waited, and /metrics has both phases.
    writer.timings.delete(listen);
    expect(timed).toHaveLength(24);
    expect(timed.every(([queued, statement]) => queued >= 0 && statement > 0)).toBe(true);
    expect(timed.some(([queued]) => queued > 0)).toBe(true);
    const count = (phase: string) => Number(text.match(new RegExp(`^pipelines_claim_record_seconds_count\\{phase="${phase}"\\} (\\d+)$`, "m"))?.[1]);
    expect(count("queued")).toBe(writer.stats.claims);
    expect(count("statement")).toBe(writer.stats.claims);
  });

  it("records a refused statement claim by claim: the bad one fails alone and writes nothing", async () => {
    const [state] = await t.deps.db.$queryRaw<Array<{ generation: number }>>`SELECT generation FROM "QueueState" WHERE "projectId" = ${q.project.id}`;
    const generation = state!.generation;
    const queued = await t.deps.db.task.findMany({ where: { projectId: q.project.id, status: "queued" }, take: 3, orderBy: { id: "asc" } });
    expect(queued).toHaveLength(3);
    const who = q.types.Reviewers!.people[0]!.id;
    const now = new Date();
    const args = (taskId: string, claimId: string) => ({
      projectId: q.project.id, generation, taskId, nodeId: q.node("evaluate"), claimId, userId: who,
      secret: `s-${claimId}`, now, expiresAt: new Date(now.getTime() + 60_000), reviewsNodeId: null,
    });
    const writer = new ClaimWriter(sqlOf(t.deps));
    // The first leaves alone; the two behind it share a statement, whose second
    // record reuses the first claim's id and so fails the statement.
    const first = writer.record(args(queued[0]!.id, "bw-first"));
    const dup = writer.record(args(queued[1]!.id, "bw-first"));
    const third = writer.record(args(queued[2]!.id, "bw-third"));
    const [a, b, c] = await Promise.allSettled([first, dup, third]);

    expect(writer.stats).toEqual({ statements: 2, claims: 3, largest: 2 });
    expect(a.status).toBe("fulfilled");
    expect((a as PromiseFulfilledResult<ClaimRecord>).value.status).toBe("ok");
    expect(b.status).toBe("rejected");
    expect((b as PromiseRejectedResult).reason).toMatchObject({ code: "23505" });
    expect(c.status).toBe("fulfilled");
    expect((c as PromiseFulfilledResult<ClaimRecord>).value).toMatchObject({ status: "ok", token: expect.stringMatching(/\.s-bw-third$/) });

    const after = await t.deps.db.task.findMany({ where: { id: { in: queued.map((x) => x.id) } }, orderBy: { id: "asc" } });
    expect(after.map((x) => x.status)).toEqual(["claimed", "queued", "claimed"]);
    expect(after[1]!.claimEpoch).toBe(queued[1]!.claimEpoch);
    expect(await t.deps.db.taskEvent.count({ where: { taskId: queued[1]!.id, type: "claimed" } })).toBe(0);
  });

  it("fails every claim of a statement lost with its connection, and commits none of them", async () => {
    const [state] = await t.deps.db.$queryRaw<Array<{ generation: number }>>`SELECT generation FROM "QueueState" WHERE "projectId" = ${q.project.id}`;
    const queued = await t.deps.db.task.findMany({ where: { projectId: q.project.id, status: "queued" }, take: 3, orderBy: { id: "desc" } });
    expect(queued).toHaveLength(3);
    const now = new Date();
    const args = (taskId: string, claimId: string) => ({
      projectId: q.project.id, generation: state!.generation, taskId, nodeId: q.node("evaluate"), claimId,
      userId: q.types.Reviewers!.people[0]!.id, secret: `s-${claimId}`, now, expiresAt: new Date(now.getTime() + 60_000), reviewsNodeId: null,
    });
    // A rebuild's exclusive project lock, held: every record waits for it.
    const holder = new pg.Client({ connectionString: inject("databaseUrl") });
    const watcher = new pg.Client({ connectionString: inject("databaseUrl") });
    await Promise.all([holder.connect(), watcher.connect()]);
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock(7301, hashtext($1))", [q.project.id]);
      const writer = new ClaimWriter(sqlOf(t.deps));
      // Read from outside the holder's transaction, whose view of pg_stat_activity is a snapshot.
      const waiting = () =>
        watcher.query<{ pid: number; query: string }>(
          "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%pipelines_claim%'",
        );
      const until = async (batch: boolean) => {
        for (let i = 0; i < 200; i++) {
          const rows = (await waiting()).rows.filter((r) => r.query.includes("unnest") === batch);
          if (rows.length === 1) return rows[0]!.pid;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error("the record never waited for the lock");
      };
      const lone = writer.record(args(queued[0]!.id, "lost-lone"));
      const lonePid = await until(false);
      // Two more queue behind it, and leave together once it has failed.
      const shared = [writer.record(args(queued[1]!.id, "lost-b")), writer.record(args(queued[2]!.id, "lost-c"))];
      const settled = Promise.allSettled([lone, ...shared]);
      await watcher.query("SELECT pg_terminate_backend($1)", [lonePid]);
      await watcher.query("SELECT pg_terminate_backend($1)", [await until(true)]);

      expect(writer.stats).toEqual({ statements: 2, claims: 3, largest: 2 });
      for (const r of await settled) {
        expect(r.status).toBe("rejected");
        expect(isUnavailable((r as PromiseRejectedResult).reason)).toBe(true);
      }
    } finally {
      await holder.query("ROLLBACK").catch(() => {});
      await Promise.all([holder.end(), watcher.end()]);
    }
    expect(await t.deps.db.claim.count({ where: { id: { in: ["lost-lone", "lost-b", "lost-c"] } } })).toBe(0);
    const after = await t.deps.db.task.findMany({ where: { id: { in: queued.map((x) => x.id) } } });
    expect(after.every((x) => x.status === "queued")).toBe(true);
  });
});
