// Real HTTP clients working through a project: claim → (heartbeat) → submit,
// through whichever server instances they are given, retrying as a careful
// client would. A Ledger counts every request (tried, acknowledged, refused by
// code) and keeps every acknowledged claim and submission, so the scenario can
// prove afterwards that nothing acknowledged was lost.
import pg from "pg";
import type { Rng } from "./fuzz";

export interface Acked {
  claimId: string;
  taskId: string;
  nodeId: string;
  userId: string;
  submissionId?: string;
}

export class Ledger {
  tried = 0;
  acknowledged = 0;
  refused: Record<string, number> = {};
  claims = new Map<string, Acked & { token: string }>();
  submits = new Map<string, Acked>();
  /** Submits whose first answer was lost (network) and whose retry met claim_lost: fate decided by PostgreSQL. */
  ambiguous = 0;
  abandoned = 0;
  /** Claims answered by a submit with `next: true` (recorded in `claims` like any other). */
  nexts = 0;
  /** Late submits of expired claims that were fenced off (409 claim_lost), and any that were not. */
  fenced = 0;
  unexpected: string[] = [];
  /** How long each answered request took (ms), with when it started: a scenario reads the slow ones. */
  timings: Array<{ at: number; ms: number }> = [];

  count(key: string): void {
    this.refused[key] = (this.refused[key] ?? 0) + 1;
  }

  summary() {
    return { tried: this.tried, acknowledged: this.acknowledged, refused: this.refused };
  }
}

export interface Reply {
  status: number; // 0: no answer (connection refused/reset, timeout)
  body: any;
  error?: string;
}

export async function call(ledger: Ledger, base: string, method: string, path: string, token: string, body?: unknown, timeoutMs = 15_000): Promise<Reply> {
  ledger.tried++;
  const started = Date.now();
  try {
    const r = await fetch(base + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await r.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    ledger.timings.push({ at: started, ms: Date.now() - started });
    if (r.status < 300) ledger.acknowledged++;
    else ledger.count(`${r.status} ${json?.error?.code ?? "?"}`);
    return { status: r.status, body: json };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string }; code?: string };
    const why = e.name === "TimeoutError" ? "timeout" : (e.cause?.code ?? e.code ?? e.name ?? "error");
    ledger.count(`no answer (${why})`);
    return { status: 0, body: undefined, error: why };
  }
}

export interface WorkerOptions {
  ledger: Ledger;
  /** The instances this client may use now (its preferred one first). */
  urls: () => string[];
  projectId: string;
  nodeId: string;
  kind: "task" | "review";
  userId: string;
  token: string;
  rng: Rng;
  stop: () => boolean;
  /** Chance of walking away from a claim without a word (the lease must expire it). */
  abandonRate?: number;
  /** Chance of a heartbeat before submitting. */
  heartbeatRate?: number;
  /** Chance a review returns the work instead of passing it. */
  returnRate?: number;
  /** Chance a submit asks for the next task in the same request (`next: true`); a next claim it answers is worked like any other. */
  nextRate?: number;
  /** Called with each claim as it is acknowledged (a scenario may freeze or delay this client). */
  onClaim?: (c: Acked & { token: string; expiresAt: string }) => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const transient = (r: Reply) => r.status === 0 || r.status === 503 || r.status === 429;

function choose(o: WorkerOptions, attempt: number): string | null {
  const urls = o.urls();
  if (!urls.length) return null;
  // The preferred instance first; after a failure, the next one (a client's failover).
  return urls[attempt % urls.length]!;
}

type Granted = { id: string; taskId: string; token: string; expiresAt: string };

/** One client's loop until stop(): claim the next task at its node (or take the one a submit answered with), then submit it. */
export async function work(o: WorkerOptions): Promise<void> {
  let failures = 0;
  let carried: Granted | null = null;
  while (!o.stop()) {
    const base = choose(o, failures);
    if (!base) {
      await sleep(100);
      continue;
    }
    let granted = carried;
    carried = null;
    if (!granted) {
      const c = await call(o.ledger, base, "POST", `/api/projects/${o.projectId}/claims`, o.token, { nodeId: o.nodeId });
      if (c.status !== 201) {
        if (transient(c)) failures++;
        else if (c.status !== 409) o.ledger.unexpected.push(`claim → ${c.status} ${JSON.stringify(c.body).slice(0, 200)}`);
        // A client with nothing to do polls gently (as the web client waits for queue:changed).
        await sleep(transient(c) ? 50 + o.rng.int(0, 150) : 100 + o.rng.int(0, 200));
        continue;
      }
      granted = c.body.claim as Granted;
    }
    failures = 0;
    const claim = { claimId: granted.id, taskId: granted.taskId, nodeId: o.nodeId, userId: o.userId, token: granted.token };
    o.ledger.claims.set(claim.claimId, claim);
    await o.onClaim?.({ ...claim, expiresAt: granted.expiresAt });
    if (o.rng.next() < (o.abandonRate ?? 0)) {
      o.ledger.abandoned++;
      continue;
    }
    if (o.rng.next() < (o.heartbeatRate ?? 0)) {
      await call(o.ledger, choose(o, 0) ?? base, "POST", `/api/claims/${claim.claimId}/heartbeat`, o.token, { token: claim.token });
    }
    const r = await submit(o, claim, o.rng.next() < (o.nextRate ?? 0));
    if (r.status === 201 && r.body?.next) {
      o.ledger.nexts++;
      carried = r.body.next.claim as Granted;
    }
  }
}

/** Submits with retries across instances; a retry after a lost answer may meet claim_lost (the first one landed). */
export async function submit(o: WorkerOptions, claim: Acked & { token: string }, next = false): Promise<Reply> {
  const body = {
    ...(o.kind === "task"
      ? { token: claim.token, answers: { score: o.rng.int(1, 5) } }
      : { token: claim.token, verdict: o.rng.next() < (o.returnRate ?? 0) ? "return" : "pass" }),
    ...(next ? { next: true } : {}),
  };
  let lostAnswer = false;
  for (let attempt = 0; attempt < 40 && !o.stop(); attempt++) {
    const base = choose(o, attempt);
    if (!base) {
      await sleep(100);
      continue;
    }
    const r = await call(o.ledger, base, "POST", `/api/claims/${claim.claimId}/submit`, o.token, body);
    if (r.status === 201) {
      o.ledger.submits.set(claim.claimId, { ...claim, submissionId: r.body.submission?.id });
      return r;
    }
    if (transient(r)) {
      if (r.status === 0) lostAnswer = true;
      await sleep(50 + o.rng.int(0, 200));
      continue;
    }
    if (r.status === 409 && r.body?.error?.code === "claim_lost") {
      if (lostAnswer) o.ledger.ambiguous++;
      return r;
    }
    o.ledger.unexpected.push(`submit → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    return r;
  }
  return { status: 0, body: undefined, error: "gave up" };
}

/** Acknowledged claims and submissions missing from PostgreSQL (each must be there exactly once). */
export async function lostAcknowledged(databaseUrl: string, ledger: Ledger): Promise<string[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const claimIds = [...ledger.claims.keys()];
    const claims = await c.query(`SELECT id, token, "taskId", "userId" FROM "Claim" WHERE id = ANY($1)`, [claimIds]);
    const byId = new Map(claims.rows.map((r) => [r.id as string, r]));
    const lost: string[] = [];
    for (const [id, a] of ledger.claims) {
      const row = byId.get(id);
      if (!row || row.token !== a.token || row.taskId !== a.taskId || row.userId !== a.userId) lost.push(`claim ${id}`);
    }
    const submitted = [...ledger.submits.keys()];
    const found = await c.query(
      `SELECT "claimId", count(*)::int AS n FROM (SELECT "claimId" FROM "Submission" WHERE "claimId" = ANY($1)
       UNION ALL SELECT "claimId" FROM "Review" WHERE "claimId" = ANY($1)) x GROUP BY "claimId"`,
      [submitted],
    );
    const n = new Map(found.rows.map((r) => [r.claimId as string, r.n as number]));
    for (const id of submitted) if (n.get(id) !== 1) lost.push(`submission of claim ${id} (${n.get(id) ?? 0} rows)`);
    return lost;
  } finally {
    await c.end();
  }
}

/** Tasks of the project not yet completed. */
export async function openTasks(databaseUrl: string, projectId: string, pipelineId?: string): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query(
      `SELECT count(*)::int AS n FROM "Task" WHERE "projectId" = $1 AND ($2::text IS NULL OR "pipelineId" = $2) AND status <> 'completed'`,
      [projectId, pipelineId ?? null],
    );
    return r.rows[0].n as number;
  } finally {
    await c.end();
  }
}
