// A holder frozen past its lease: client processes SIGSTOPped while holding a
// claim (some kept it alive with heartbeats, some were about to submit). The
// sweeper expires their claims, other contributors claim the same tasks, and
// when the frozen holders wake up their heartbeats and late submits are fenced
// off with 409 claim_lost: the next holder's work is never overwritten.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalCheck, seed, startEnv, waitFor, type Env } from "./harness/scenario";
import type { Workload } from "./harness/seed";
import { byProfile, Recorder } from "./harness/summary";
import { call, Ledger } from "./harness/work";

const rec = new Recorder("frozen-holder", "A holder frozen (SIGSTOP) past its lease is fenced off: its late heartbeat and submit answer 409 claim_lost and the next holder's work stands.");
const HOLDERS = byProfile(4, 8);
let env: Env;
let w: Workload;

beforeAll(async () => {
  env = await startEnv({ label: "frozen_holder", servers: 2 });
  // Exactly one task per holder, so the rescuers get precisely the frozen holders' tasks.
  w = await seed(env, { raters: HOLDERS * 2, reviewers: 1, tasks: HOLDERS, leaseSeconds: 5 });
});
afterAll(() => env?.close());

interface Holder {
  child: ChildProcess;
  lines: Array<Record<string, any>>;
  next(event: string): Promise<Record<string, any>>;
}

function startHolder(args: object): Holder {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "harness/holder.ts"), JSON.stringify(args)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Array<Record<string, any>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on("line", (l) => {
    lines.push(JSON.parse(l));
    for (const w of waiters.splice(0)) w();
  });
  const next = (event: string) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`holder said no "${event}" in time: ${JSON.stringify(lines)}`)), 60_000);
      const check = () => {
        const hit = lines.find((l) => l.event === event);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else waiters.push(check);
      };
      check();
    });
  return { child, lines, next };
}

async function claimRows(ids: string[]) {
  const c = new pg.Client({ connectionString: env.pg.url });
  await c.connect();
  try {
    return (await c.query(`SELECT id, outcome, "taskId" FROM "Claim" WHERE id = ANY($1)`, [ids])).rows as Array<{ id: string; outcome: string; taskId: string }>;
  } finally {
    await c.end();
  }
}

describe("a holder frozen past its lease", () => {
  it("is fenced off with 409 when it wakes up", async () => {
    const urls = env.servers.map((s) => s.url);
    const holders = w.raters.slice(0, HOLDERS).map((r, i) =>
      startHolder({ base: urls[i % 2], projectId: w.projectId, nodeId: w.rateNodeId, token: r.token, mode: i % 2 ? "submit" : "heartbeat", everyMs: 1_500 }),
    );
    const ledger = new Ledger();
    try {
      const claimed = await Promise.all(holders.map((h) => h.next("claimed")));
      expect(claimed.map((c) => c.status)).toEqual(holders.map(() => 201));
      const frozenIds = claimed.map((c) => c.claim.id as string);
      // Freeze them all (before the submitters' first submit, after a heartbeat or none).
      for (const h of holders) h.child.kill("SIGSTOP");
      rec.fault("client SIGSTOP past its lease", HOLDERS);
      let seen: unknown = null;
      await waitFor(
        "the frozen claims to expire",
        async () => {
          const rows = await claimRows(frozenIds);
          seen = rows.map((r) => r.outcome);
          return rows.every((r) => r.outcome === "expired");
        },
        60_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(seen)}; holders said ${JSON.stringify(holders.map((h) => h.lines))}`);
      });

      // Others take the same tasks and hold them while the frozen ones wake up.
      const rescuers = w.raters.slice(HOLDERS);
      const rescued: Array<{ userId: string; token: string; claim: { id: string; taskId: string; token: string } }> = [];
      for (const [i, r] of rescuers.entries()) {
        const c = await call(ledger, urls[(i + 1) % 2]!, "POST", `/api/projects/${w.projectId}/claims`, r.token, { nodeId: w.rateNodeId });
        expect(c.status, JSON.stringify(c.body)).toBe(201);
        rescued.push({ userId: r.id, token: r.token, claim: c.body.claim });
      }
      const frozenTasks = new Set(claimed.map((c) => c.claim.taskId));
      expect(new Set(rescued.map((r) => r.claim.taskId))).toEqual(frozenTasks);

      for (const h of holders) h.child.kill("SIGCONT");
      const late = await Promise.all(holders.map((h) => h.next("submitted")));
      const lateHeartbeats = holders.flatMap((h) => h.lines.filter((l) => l.event === "heartbeat" && l.status !== 200));
      for (const l of [...late, ...lateHeartbeats]) expect({ status: l.status, code: l.code }).toEqual({ status: 409, code: "claim_lost" });
      for (const r of rescued) {
        const s = await call(ledger, urls[0]!, "POST", `/api/claims/${r.claim.id}/submit`, r.token, { token: r.claim.token, answers: { score: 5 } });
        expect(s.status, JSON.stringify(s.body)).toBe(201);
        const acked = { claimId: r.claim.id, taskId: r.claim.taskId, nodeId: w.rateNodeId, userId: r.userId };
        ledger.claims.set(r.claim.id, { ...acked, token: r.claim.token });
        ledger.submits.set(r.claim.id, acked);
      }
      // Exactly the rescuers' submissions stand; the frozen claims ended as expired and wrote nothing.
      const c = new pg.Client({ connectionString: env.pg.url });
      await c.connect();
      const subs = await c.query(`SELECT "claimId" FROM "Submission" WHERE "taskId" = ANY($1) AND "nodeId" = $2`, [[...frozenTasks], w.rateNodeId]);
      await c.end();
      expect(new Set(subs.rows.map((r) => r.claimId))).toEqual(new Set(rescued.map((r) => r.claim.id)));
      expect((await claimRows(frozenIds)).map((r) => r.outcome)).toEqual(frozenIds.map(() => "expired"));

      // The holders' own requests, as their output reports them.
      for (const l of holders.flatMap((h) => h.lines)) {
        ledger.tried++;
        if (l.status < 300) ledger.acknowledged++;
        else ledger.count(`${l.status} ${l.code}`);
      }
      rec.note("A client frozen longer than the server's keep-alive timeout (5 s) wakes up with a pooled connection the server closed: that request never left, and the holder sends it again on a new connection before it meets the fence.");
      rec.figure("lateSubmitsFenced", late.length);
      rec.figure("lateHeartbeatsFenced", lateHeartbeats.length);
      const { report, lost } = await finalCheck(env, w, ledger, rec);
      rec.write(!lost.length && !report.violations.length);
      expect(lost).toEqual([]);
      expect(report.violations).toEqual([]);
    } finally {
      for (const h of holders) {
        h.child.kill("SIGCONT");
        h.child.kill("SIGKILL");
      }
    }
  });
});
