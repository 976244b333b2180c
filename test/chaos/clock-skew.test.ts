// Clock skew between instances: one instance's host clock runs 5 minutes ahead,
// the other 5 minutes behind (CLOCK_OFFSET_MS, a test-only knob that skews the
// host clock each instance reads). Every instance corrects its clock to Redis
// TIME (infra/redis-clock.ts), so lease deadlines, expiries and schedule checks
// are decided by one time source whichever instance answers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pg from "pg";
import type { Deps } from "../../server/src/deps";
import { systemClock } from "../../server/src/infra/clock";
import { createPrisma } from "../../server/src/infra/prisma";
import { addProjectMember } from "../helpers/factories";
import { finalCheck, seed, startCrew, startEnv, untilComplete, waitFor, type Env } from "./harness/scenario";
import { tokenFor, type Workload } from "./harness/seed";
import { CHAOS_JWT_SECRET } from "./harness/servers";
import { byProfile, Recorder } from "./harness/summary";
import { call, Ledger } from "./harness/work";

const rec = new Recorder(
  "clock-skew",
  "With instance clocks 5 minutes ahead and behind, leases, expiries and schedules are still decided by one time source (Redis TIME).",
);
const SKEW_MS = 5 * 60_000;
const LEASE_S = 5;
let env: Env;
let w: Workload;
const probe = new Ledger();
let anyFailed = false;
beforeEach((ctx) => ctx.onTestFailed(() => void (anyFailed = true)));

beforeAll(async () => {
  // The instance behind does not sweep, so expiries are decided by the one ahead (the dangerous direction: early).
  env = await startEnv({
    label: "clock_skew",
    servers: 2,
    env: (i): Record<string, string> => (i === 0 ? { CLOCK_OFFSET_MS: String(SKEW_MS) } : { CLOCK_OFFSET_MS: String(-SKEW_MS), SWEEP_INTERVAL_MS: "0" }),
  });
  w = await seed(env, { raters: 6, reviewers: 3, tasks: byProfile(30, 80), leaseSeconds: LEASE_S });
});
afterAll(() => env?.close());

async function claimVia(url: string, token: string, nodeId: string) {
  const before = Date.now();
  const r = await call(probe, url, "POST", `/api/projects/${w.projectId}/claims`, token, { nodeId });
  return { r, before, after: Date.now() };
}

async function outcomes(ids: string[]): Promise<Record<string, string>> {
  const c = new pg.Client({ connectionString: env.pg.url });
  await c.connect();
  try {
    const r = await c.query(`SELECT id, outcome FROM "Claim" WHERE id = ANY($1)`, [ids]);
    return Object.fromEntries(r.rows.map((x) => [x.id, x.outcome]));
  } finally {
    await c.end();
  }
}

describe("clock skew between instances", () => {
  it("gives every lease the same length whichever skewed instance grants it", async () => {
    const worst: number[] = [];
    for (const [i, s] of env.servers.entries()) {
      const { r, before, after } = await claimVia(s.url, w.raters[i]!.token, w.rateNodeId);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const exp = Date.parse(r.body.claim.expiresAt);
      // The deadline is lease seconds after the moment of the claim in real time (±1 s for clock sampling).
      expect(exp).toBeGreaterThanOrEqual(before + LEASE_S * 1000 - 1000);
      expect(exp).toBeLessThanOrEqual(after + LEASE_S * 1000 + 1000);
      worst.push(Math.max(Math.abs(exp - (before + LEASE_S * 1000)), Math.abs(exp - (after + LEASE_S * 1000))));
      await call(probe, s.url, "DELETE", `/api/claims/${r.body.claim.id}`, w.raters[i]!.token, { token: r.body.claim.token });
    }
    rec.figure("leaseDeadlineErrorMsMax", Math.max(...worst));
  });

  it("expires a lease at its deadline, not 5 minutes early, when the instance ahead sweeps", async () => {
    const held: Array<{ id: string; exp: number }> = [];
    for (let i = 0; i < 4; i++) {
      const { r } = await claimVia(env.servers[i % 2]!.url, w.raters[2 + i]!.token, w.rateNodeId);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      held.push({ id: r.body.claim.id, exp: Date.parse(r.body.claim.expiresAt) });
    }
    rec.fault("clock skew ±5 min (2 instances)");
    // Just before the deadline they are all still live...
    const earliest = Math.min(...held.map((h) => h.exp));
    await new Promise((r) => setTimeout(r, Math.max(0, earliest - Date.now() - 1500)));
    const early = await outcomes(held.map((h) => h.id));
    expect(Object.values(early)).toEqual(["active", "active", "active", "active"]);
    // ...and the sweeper (the instance 5 minutes ahead) ends them once it has passed.
    await waitFor("the sweeper to expire the claims", async () => Object.values(await outcomes(held.map((h) => h.id))).every((o) => o === "expired"), 30_000);
  });

  it("keeps a schedule closed on the instance ahead until it opens in Redis time", async () => {
    // A window opening ~3 minutes from now (UTC, minute precision), lasting 10 minutes.
    const start = new Date(Math.ceil((Date.now() + 150_000) / 60_000) * 60_000);
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    const end = new Date(start.getTime() + 10 * 60_000);
    const day = ((start.getUTCDay() + 6) % 7) + 1;
    const admin = { token: w.adminToken };
    const t = await call(probe, env.servers[1]!.url, "POST", `/api/projects/${w.projectId}/contributor-types`, admin.token, {
      name: "Later shift", claimLimit: 1, schedule: { timezone: "UTC", windows: [{ days: [day], start: hhmm(start), end: hhmm(end) }] },
    });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    const db = createPrisma(env.pg.url, 1);
    const deps = { db, jwtSecret: CHAOS_JWT_SECRET, clock: systemClock } as unknown as Deps;
    const project = { id: w.projectId, orgId: w.orgId };
    const person = await addProjectMember(deps, project, "contributor", t.body.id, "later");
    await db.$disconnect();
    const p = await call(probe, env.servers[0]!.url, "POST", `/api/projects/${w.projectId}/pipelines`, admin.token, {
      name: "Later", nodes: [
        { key: "do", kind: "task", name: "Do", contributorTypeId: t.body.id, form: { criteria: [{ key: "ok", label: "OK", kind: "boolean", required: true }] } },
        { key: "end", kind: "end", name: "End" },
      ],
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    await call(probe, env.servers[0]!.url, "POST", `/api/pipelines/${p.body.id}/tasks`, admin.token, { tasks: [{ payload: { n: 1 } }] });
    const token = tokenFor(person.id);
    for (const s of env.servers) {
      const { r } = await claimVia(s.url, token, p.body.nodes[0].id);
      expect(r.status, `${s.opts.name}: ${JSON.stringify(r.body)}`).toBe(409);
      expect(r.body.error.code).toBe("outside_schedule");
      expect(r.body.error.details.opensAt).toBe(start.toISOString());
    }
    rec.figure("scheduleOpensInSeconds", Math.round((start.getTime() - Date.now()) / 1000));
  });

  it("works through a project on both skewed instances with every invariant holding", async () => {
    const urls = env.servers.map((s) => s.url);
    const crew = startCrew(w, { seed: 51, urls: (i) => () => [urls[i % 2]!, urls[(i + 1) % 2]!], opts: { heartbeatRate: 0.5, returnRate: 0.1 } });
    try {
      // The "Later" pipeline's task cannot be worked yet (its schedule is closed): only the chaos pipeline counts.
      const open = await untilComplete(env.pg.url, w.projectId, byProfile(180_000, 300_000), w.pipelineId);
      crew.stop();
      await crew.done;
      const { report, lost } = await finalCheck(env, w, crew.ledger, rec);
      rec.requests(probe.summary());
      rec.figure("openTasksAtEnd", open);
      rec.note("Instances read \"now\" from their host clock corrected to Redis TIME (re-measured every minute), so a host clock minutes off changes no lease, expiry or schedule decision.");
      const passed = !anyFailed && open === 0 && !lost.length && !report.violations.length && !crew.ledger.unexpected.length;
      rec.write(passed);
      expect(crew.ledger.unexpected).toEqual([]);
      expect(open, "tasks never completed").toBe(0);
      expect(lost).toEqual([]);
      expect(report.violations).toEqual([]);
    } finally {
      crew.stop();
      await crew.done;
    }
  });
});
