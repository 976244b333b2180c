// The end-of-scenario check over PostgreSQL (the truth) and Redis (the live
// queue state): every task in exactly one state, every submission recorded once,
// no claim without a live lease, no task held twice, Redis counters equal to the
// counts recomputed from PostgreSQL, no fencing token reused.
// Returns the violations found (empty = every invariant holds) and what it read.
import type { Redis } from "ioredis";
import pg from "pg";
import { keysOf, isReserved, NO_TYPE } from "../../../server/src/queue/keys";

export interface InvariantReport {
  violations: string[];
  tasks: number;
  claims: number;
  submissions: number;
  reviews: number;
  /** Projects whose Redis state was loaded and compared. */
  redisCompared: number;
}

const q = async <T extends Record<string, any>>(c: pg.Client, sql: string, args: unknown[] = []) => (await c.query(sql, args)).rows as T[];

export async function checkInvariants(databaseUrl: string, redis: Redis | null, projectIds: string[]): Promise<InvariantReport> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const v: string[] = [];
  const bad = (what: string, rows: unknown[]) => {
    if (rows.length) v.push(`${what}: ${rows.length} (e.g. ${JSON.stringify(rows.slice(0, 3))})`);
  };
  try {
    const P = [projectIds];
    // ── one state per task ──
    bad("tasks in an unknown state", await q(c, `SELECT id, status FROM "Task" WHERE "projectId" = ANY($1) AND status NOT IN ('queued','claimed','completed','cancelled')`, P));
    bad(
      "claimed tasks without exactly one active claim, or queued/completed tasks with one",
      await q(
        c,
        `SELECT t.id, t.status, count(c.id)::int AS active FROM "Task" t
         LEFT JOIN "Claim" c ON c."taskId" = t.id AND c.outcome = 'active'
         WHERE t."projectId" = ANY($1) GROUP BY t.id, t.status
         HAVING (t.status = 'claimed') <> (count(c.id) = 1) OR count(c.id) > 1`,
        P,
      ),
    );
    bad(
      "active claims that do not hold their task (epoch or node differ)",
      await q(
        c,
        `SELECT c.id, c.epoch, t."claimEpoch", c."nodeId", t."nodeId" AS "taskNode" FROM "Claim" c JOIN "Task" t ON t.id = c."taskId"
         WHERE c."projectId" = ANY($1) AND c.outcome = 'active' AND (c.epoch <> t."claimEpoch" OR c."nodeId" <> t."nodeId")`,
        P,
      ),
    );
    bad(
      "tasks whose state does not match their node (completed off the end node, or open on it)",
      await q(
        c,
        `SELECT t.id, t.status, n.kind FROM "Task" t JOIN "PipelineNode" n ON n.id = t."nodeId"
         WHERE t."projectId" = ANY($1) AND ((t.status = 'completed') <> (n.kind = 'end') OR (t.status = 'completed' AND t."completedAt" IS NULL))`,
        P,
      ),
    );
    bad(
      "tasks completed other than exactly once (by their events)",
      await q(
        c,
        `SELECT t.id, t.status, count(e.id)::int AS completions FROM "Task" t
         LEFT JOIN "TaskEvent" e ON e."taskId" = t.id AND e.type = 'completed'
         WHERE t."projectId" = ANY($1) GROUP BY t.id, t.status
         HAVING count(e.id) > 1 OR (t.status = 'completed') <> (count(e.id) = 1)`,
        P,
      ),
    );
    // ── no claim without a live lease (the sweeper has had its time) ──
    bad(
      "active claims whose lease ran out and were never expired",
      await q(c, `SELECT id, "expiresAt" FROM "Claim" WHERE "projectId" = ANY($1) AND outcome = 'active' AND "expiresAt" < now() - interval '5 seconds'`, P),
    );
    bad("claims ended without an end time, or active with one", await q(c, `SELECT id, outcome FROM "Claim" WHERE "projectId" = ANY($1) AND (outcome = 'active') = ("endedAt" IS NOT NULL)`, P));
    // ── fencing tokens never reused ──
    bad(
      "fencing epochs reused for a task",
      await q(c, `SELECT "taskId", epoch, count(*)::int FROM "Claim" WHERE "projectId" = ANY($1) GROUP BY "taskId", epoch HAVING count(*) > 1`, P),
    );
    bad("tokens handed out twice", await q(c, `SELECT token, count(*)::int FROM "Claim" WHERE "projectId" = ANY($1) GROUP BY token HAVING count(*) > 1`, P));
    bad(
      "claims with an epoch the task never reached",
      await q(c, `SELECT c.id, c.epoch, t."claimEpoch" FROM "Claim" c JOIN "Task" t ON t.id = c."taskId" WHERE c."projectId" = ANY($1) AND c.epoch > t."claimEpoch"`, P),
    );
    // ── every submission once ──
    bad(
      "two submissions of one claim",
      await q(c, `SELECT "claimId", count(*)::int FROM "Submission" WHERE "projectId" = ANY($1) GROUP BY "claimId" HAVING count(*) > 1`, P),
    );
    bad(
      "two submissions with one (task, node, attempt)",
      await q(c, `SELECT "taskId", "nodeId", attempt, count(*)::int FROM "Submission" WHERE "projectId" = ANY($1) GROUP BY 1, 2, 3 HAVING count(*) > 1`, P),
    );
    bad(
      "two reviews with one (task, node, round) or one claim",
      await q(
        c,
        `SELECT "taskId", "nodeId", round, count(*)::int FROM "Review" WHERE "projectId" = ANY($1) GROUP BY 1, 2, 3 HAVING count(*) > 1
         UNION ALL SELECT "claimId", '', 0, count(*)::int FROM "Review" WHERE "projectId" = ANY($1) GROUP BY 1 HAVING count(*) > 1`,
        P,
      ),
    );
    bad(
      "submissions or reviews whose claim is not a submitted claim of the same person, task and node",
      await q(
        c,
        `SELECT x.id, x.kind FROM (
           SELECT id, 'submission' AS kind, "claimId", "userId", "taskId", "nodeId" FROM "Submission" WHERE "projectId" = ANY($1)
           UNION ALL SELECT id, 'review', "claimId", "userId", "taskId", "nodeId" FROM "Review" WHERE "projectId" = ANY($1)) x
         LEFT JOIN "Claim" c ON c.id = x."claimId"
         WHERE c.id IS NULL OR c.outcome <> 'submitted' OR c."userId" <> x."userId" OR c."taskId" <> x."taskId" OR c."nodeId" <> x."nodeId"`,
        P,
      ),
    );
    bad(
      "submitted claims with no (or more than one) submission or review",
      await q(
        c,
        `SELECT c.id FROM "Claim" c WHERE c."projectId" = ANY($1) AND c.outcome = 'submitted'
           AND (SELECT count(*) FROM "Submission" s WHERE s."claimId" = c.id) + (SELECT count(*) FROM "Review" r WHERE r."claimId" = c.id) <> 1`,
        P,
      ),
    );

    const [counts] = await q<{ tasks: number; claims: number; submissions: number; reviews: number }>(
      c,
      `SELECT (SELECT count(*) FROM "Task" WHERE "projectId" = ANY($1))::int AS tasks,
              (SELECT count(*) FROM "Claim" WHERE "projectId" = ANY($1))::int AS claims,
              (SELECT count(*) FROM "Submission" WHERE "projectId" = ANY($1))::int AS submissions,
              (SELECT count(*) FROM "Review" WHERE "projectId" = ANY($1))::int AS reviews`,
      P,
    );

    let redisCompared = 0;
    if (redis) {
      for (const projectId of projectIds) {
        if (await compareRedis(c, redis, projectId, v)) redisCompared++;
      }
    }
    return { violations: v, ...counts!, redisCompared };
  } finally {
    await c.end();
  }
}

/** Redis against PostgreSQL for one project; false when its state is not loaded (nothing to compare). */
async function compareRedis(c: pg.Client, redis: Redis, projectId: string, v: string[]): Promise<boolean> {
  const k = keysOf(projectId);
  // Read Redis in one MULTI so the picture is one instant (the scenario is quiet by now anyway).
  const dynamic = await redis.smembers(k.registry);
  // Deadlines only: the warnings in the same zset score below zero.
  const m = redis.multi().get(k.epoch).hgetall(k.claim).zrangebyscore(k.deadlines, 0, "+inf", "WITHSCORES").hgetall(k.held);
  m.hgetall(k.reservedReady).hgetall(k.busy).hgetall(k.at);
  const readyNames = dynamic.filter((key) => key.startsWith(`${k.prefix}r:`));
  for (const key of dynamic) m.type(key);
  for (const key of readyNames) m.zcard(key);
  const res = (await m.exec())!.map(([err, val]) => {
    if (err) throw err;
    return val;
  });
  const [epoch, claimHash, deadlinesFlat, held, reservedReady, busy, atRaw] = res as [
    string | null, Record<string, string>, string[], Record<string, string>,
    Record<string, string>, Record<string, string>, Record<string, string>,
  ];
  const fields = (prefix: string) => Object.fromEntries(Object.entries(held).filter(([f]) => f.startsWith(prefix)).map(([f, n]) => [f.slice(prefix.length), n]));
  const perUser = fields("u:");
  const perType = fields("t:");
  // "nodeId" or, at a review node, "nodeId|authorId"
  const at = Object.fromEntries(Object.entries(atRaw).map(([t, v]) => [t, v.split("|")[0]!]));
  if (epoch === null) return false;
  const p = `project ${projectId.slice(0, 8)}`;
  const diff = (what: string, want: Map<string, string | number>, got: Record<string, string>, zeroIsAbsent = true) => {
    const keys = new Set([...want.keys(), ...Object.keys(got)]);
    const wrong: string[] = [];
    for (const key of keys) {
      const a = String(want.get(key) ?? (zeroIsAbsent ? "0" : "∅"));
      const b = got[key] ?? (zeroIsAbsent ? "0" : "∅");
      if (a !== b) wrong.push(`${key}: postgres ${a}, redis ${b}`);
    }
    if (wrong.length) v.push(`${p}: ${what} differ (${wrong.length}, e.g. ${wrong.slice(0, 3).join("; ")})`);
  };

  const claims = await q<{ taskId: string; id: string; userId: string; typeId: string | null; nodeId: string; expiresAt: Date }>(
    c,
    `SELECT c."taskId", c.id, c."userId", m."contributorTypeId" AS "typeId", c."nodeId", c."expiresAt" FROM "Claim" c
     LEFT JOIN "ProjectMember" m ON m."projectId" = c."projectId" AND m."userId" = c."userId"
     WHERE c."projectId" = $1 AND c.outcome = 'active'`,
    [projectId],
  );
  const want = new Map(claims.map((r) => [r.taskId, `${r.id}|${r.userId}|${r.typeId ?? NO_TYPE}|${r.nodeId}`]));
  diff("active claims", want, claimHash, false);
  const deadlines: Record<string, string> = {};
  for (let i = 0; i < deadlinesFlat.length; i += 2) deadlines[deadlinesFlat[i]!] = deadlinesFlat[i + 1]!;
  diff("lease deadlines", new Map(claims.map((r) => [r.taskId, r.expiresAt.getTime()])), deadlines, false);

  const tally = (rows: Array<string>) => {
    const mm = new Map<string, number>();
    for (const r of rows) mm.set(r, (mm.get(r) ?? 0) + 1);
    return mm;
  };
  diff("claims per contributor", tally(claims.map((r) => r.userId)), perUser);
  diff("claims per contributor type", tally(claims.map((r) => r.typeId ?? NO_TYPE)), perType);
  diff("claims per node (busy)", tally(claims.map((r) => r.nodeId)), busy);

  const open = await q<{ id: string; nodeId: string; status: string }>(
    c,
    `SELECT id, "nodeId", status FROM "Task" WHERE "projectId" = $1 AND status IN ('queued', 'claimed')`,
    [projectId],
  );
  const queued = open.filter((t) => t.status === "queued");
  // Waiting per node as nodeCounts reads it (open set's size + reservedReady), and
  // reservedReady against the reserved sets it counts.
  const available: Record<string, string> = { ...reservedReady };
  const reservedSum = new Map<string, number>();
  readyNames.forEach((key, i) => {
    const size = Number(res[7 + dynamic.length + i]);
    const node = /^r:([^:]+)/.exec(key.slice(k.prefix.length))![1]!;
    if (isReserved(k, key)) reservedSum.set(node, (reservedSum.get(node) ?? 0) + size);
    else available[node] = String(Number(available[node] ?? 0) + size);
  });
  diff("waiting tasks per node (available)", tally(queued.map((t) => t.nodeId)), available);
  diff("reserved ready per node", reservedSum, reservedReady);
  diff("where open tasks are (at)", new Map(open.map((t) => [t.id, t.nodeId])), at, false);

  // Every queued task in exactly one ready set, and nothing else in any.
  const readyKeys = dynamic.filter((key, i) => res[7 + i] === "zset");
  const inReady = new Map<string, number>();
  if (readyKeys.length) {
    const members = (await redis.multi(readyKeys.map((key) => ["zrange", key, "0", "-1"])).exec())!.flatMap(([, val]) => val as string[]);
    for (const id of members) inReady.set(id, (inReady.get(id) ?? 0) + 1);
  }
  diff("ready-set membership", new Map(queued.map((t) => [t.id, 1])), Object.fromEntries([...inReady].map(([id, n]) => [id, String(n)])));
  return true;
}
