/// <reference types="node" />
// The queue and work stores against a real local HTTP server speaking the
// API's shapes: loading a queue, claiming, a heartbeat that finds the claim
// lost (answers kept as a draft), submitting (draft cleared).
import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { loadDraft, saveDraft } from "../forms/drafts";
import type { Me } from "../api/types";
import { realtime } from "../socket.svelte";
import { queue } from "./queue.svelte";
import { session } from "./session.svelte";
import { work, workFromClaim, type ClaimAnswer } from "./work.svelte";

const form = { criteria: [{ key: "accuracy", label: "Accuracy", kind: "rating" as const, required: true, min: 1, max: 5 }] };
const brief = (id: string, kind: "task" | "review", name: string) => ({ id, key: id, name, kind, form: kind === "task" ? form : null, leaseSeconds: 600, maxLeaseSeconds: 2400 });
const claimAnswer = (id: string): ClaimAnswer => ({
  claim: { id, taskId: `task-${id}`, nodeId: "n-eval", token: `tok-${id}`, expiresAt: new Date(Date.now() + 600_000).toISOString() },
  task: { id: `task-${id}`, projectId: "p1", pipelineId: "pl", nodeId: "n-eval", status: "claimed", priority: 0, payload: { input: "q" }, createdAt: new Date().toISOString(), node: brief("n-eval", "task", "Evaluate"), reviewed: null },
});

let server: Server;
const submitted: unknown[] = [];
// The queue answers of a project with a work schedule, one per read (the last repeated).
let schedAnswers: unknown[] = [];
let schedReads = 0;
let flakyDown = false;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c));
    req.on("end", () => {
      const json = (status: number, v?: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(v === undefined ? undefined : JSON.stringify(v));
      };
      if (req.url === "/api/projects/empty/queue") return json(200, { items: [] });
      if (req.url === "/api/projects/flaky/queue") return flakyDown ? json(502, { error: { code: "unavailable", message: "The server cannot be reached." } }) : json(200, { items: [] });
      if (req.url === "/api/projects/sched/queue") return json(200, schedAnswers[schedReads++] ?? schedAnswers[schedAnswers.length - 1]);
      if (req.url === "/api/projects/mine/queue")
        return json(200, { items: [{ nodeId: "n-eval", pipelineId: "pl", pipelineName: "Evals", key: "evaluate", name: "Evaluate", kind: "task", leaseSeconds: 600, available: 0, canClaim: false, reason: "claim_limit_reached", myClaims: [{ id: "k1", taskId: "t1", token: "x", expiresAt: new Date(Date.now() + 600_000).toISOString() }] }] });
      if (req.url === "/api/projects/p1/claims") return json(201, claimAnswer(JSON.parse(body).taskId ? "again" : "c1"));
      if (req.url === "/api/claims/c1/heartbeat") return json(409, { error: { code: "claim_lost", message: "No longer yours." } });
      if (req.url === "/api/claims/hb/heartbeat") return json(200, { expiresAt: new Date(Date.now() + 1_200_000).toISOString() });
      if (req.url === "/api/claims/again/submit") {
        submitted.push(JSON.parse(body));
        return json(201, { submission: { id: "s1" } });
      }
      json(404, { error: { code: "not_found", message: "No." } });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  api.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  api.base = "";
  return new Promise<void>((r) => server.close(() => r()));
});

describe("queue store", () => {
  it("settles an empty queue instead of loading forever", async () => {
    const loading = queue.load("empty");
    expect(queue.of("empty").loading).toBe(true); // read while in flight, as the page does
    await loading;
    expect(queue.of("empty")).toMatchObject({ loading: false, error: null, items: [] });
  });

  it("drops a claim of mine that ended elsewhere (expired, revoked) at once", async () => {
    await queue.load("mine");
    expect(queue.of("mine").items[0]!.myClaims.map((c) => c.id)).toEqual(["k1"]);
    queue.forgetClaim("k1");
    expect(queue.of("mine").items[0]!.myClaims).toEqual([]);
  });

  it("reads again at once when the connection comes back after a read failed meanwhile", async () => {
    flakyDown = true;
    const off = queue.watch("flaky");
    await vi.waitFor(() => expect(queue.of("flaky").error).not.toBeNull());
    flakyDown = false;
    // The socket connects again: what realtime tells its onConnect listeners.
    for (const fn of (realtime as unknown as { connectListeners: Set<() => void> }).connectListeners) fn();
    await vi.waitFor(() => expect(queue.of("flaky").error).toBeNull());
    off();
  });

  it("keeps the error of a failed load for the page", async () => {
    await queue.load("missing");
    expect(queue.of("missing")).toMatchObject({ loading: false, error: "No." });
  });
});

describe("queue store at the edges of the work schedule", () => {
  const T0 = Date.parse("2026-06-15T20:00:00Z");
  const HOUR = 3_600_000;
  const node = (over: object) => ({ nodeId: "n-eval", pipelineId: "pl", pipelineName: "Evals", key: "evaluate", name: "Evaluate", kind: "task", leaseSeconds: 600, available: 4, myClaims: [], ...over });
  const closed = (opensAt: number) => ({ items: [node({ canClaim: false, reason: "outside_schedule", opensAt: new Date(opensAt).toISOString() })] });
  const open = (closesAt?: number) => ({ items: [node({ canClaim: true, ...(closesAt ? { closesAt: new Date(closesAt).toISOString() } : {}) })] });

  async function watching() {
    schedReads = 0;
    const off = queue.watch("sched");
    await vi.waitFor(() => expect(schedReads).toBe(1));
    await vi.waitFor(() => expect(queue.of("sched").loading).toBe(false));
    return off;
  }
  /** Moves the fake clock on, letting the reads it starts answer. */
  async function pass(ms: number) {
    await vi.advanceTimersByTimeAsync(ms);
    await new Promise((r) => setImmediate(r));
  }

  afterEach(() => {
    vi.useRealTimers();
    delete queue.projects["sched"];
  });

  it("reads the queue again when the schedule opens, then when it closes, and not after the page leaves", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: T0 });
    schedAnswers = [closed(T0 + 3 * HOUR), open(T0 + 11 * HOUR), closed(T0 + 27 * HOUR)];
    const off = await watching();
    expect(queue.of("sched").items[0]).toMatchObject({ canClaim: false, reason: "outside_schedule" });

    await pass(3 * HOUR - 1000);
    expect(schedReads).toBe(1); // nothing before the edge
    await pass(4000);
    await vi.waitFor(() => expect(queue.of("sched").items[0]?.canClaim).toBe(true));
    expect(schedReads).toBe(2);

    await pass(8 * HOUR + 4000); // past closesAt
    await vi.waitFor(() => expect(queue.of("sched").items[0]?.canClaim).toBe(false));
    expect(schedReads).toBe(3);

    off();
    await pass(20 * HOUR);
    expect(schedReads).toBe(3);
  });

  it("waits for an opening beyond what one timer can hold (~24.8 days) without reading early", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: T0 });
    const DAY = 24 * HOUR;
    schedAnswers = [closed(T0 + 40 * DAY), open()];
    const off = await watching();
    await pass(39 * DAY);
    expect(schedReads).toBe(1);
    await pass(DAY + 4000);
    await vi.waitFor(() => expect(schedReads).toBe(2));
    off();
  });
});

describe("work store", () => {
  it("reads the node's form and, on a review node, the submission under review", () => {
    const w = workFromClaim("p1", claimAnswer("x"));
    expect(w.node).toMatchObject({ id: "n-eval", kind: "task", name: "Evaluate", leaseSeconds: 600 });
    expect(w.node.criteria.map((c) => c.key)).toEqual(["accuracy"]);
    expect(w.review).toBeNull();

    const review = claimAnswer("r");
    review.task.node = brief("n-rev", "review", "QA review");
    review.task.reviewed = { submissionId: "s9", answers: { accuracy: 4 }, attempt: 2, createdAt: "2026-01-01T00:00:00Z", node: brief("n-eval", "task", "Evaluate") };
    const r = workFromClaim("p1", review);
    expect(r.node.kind).toBe("review");
    expect(r.review).toMatchObject({ nodeName: "Evaluate", submission: { id: "s9", answers: { accuracy: 4 }, attempt: 2 } });
    expect(r.review!.criteria.map((c) => c.key)).toEqual(["accuracy"]);
  });

  it("marks a claim lost when a heartbeat answers claim_lost, keeping the draft; claiming again carries it over", async () => {
    const w = await work.claim("p1", "n-eval");
    expect(w.claim.id).toBe("c1");
    session.me = { user: { id: "u1", email: "u1@x.test", name: "U1" }, orgs: [], projects: [], personas: ["contributor"] } as unknown as Me;
    saveDraft(localStorage, "u1", w.task.id, w.node.id, { accuracy: 2 });
    await work.heartbeat("c1");
    expect(work.get("c1")).toMatchObject({ state: "lost" });
    expect(work.get("c1")!.message).toMatch(/answers are still here/);
    expect(loadDraft(localStorage, "u1", "task-c1", "n-eval")).toEqual({ accuracy: 2 });

    const again = await work.reclaim("c1");
    expect(again.claim.id).toBe("again");
    // The server gave the same task back (task-again here): a real reclaim names the same task and node.
    saveDraft(localStorage, "u1", "task-again", "n-eval", { accuracy: 3 });
    await work.submit("again", { answers: { accuracy: 3 } });
    expect(submitted).toEqual([{ token: "tok-again", answers: { accuracy: 3 } }]);
    expect(work.get("again")!.state).toBe("submitted");
    expect(loadDraft(localStorage, "u1", "task-again", "n-eval")).toBeNull();
    session.me = null;
  });

  it("carries a returned task's rework: the reviewer's comment and the answers returned", () => {
    const a = claimAnswer("rw");
    a.task.rework = { answers: { accuracy: 2 }, attempt: 1, comment: "Check the refund policy.", round: 1, returnedAt: "2026-01-01T00:00:00Z" };
    expect(workFromClaim("p1", a).rework).toEqual(a.task.rework);
    expect(workFromClaim("p1", claimAnswer("plain")).rework).toBeNull();
  });

  it("drops the expiry warning once a heartbeat pushes the lease on", async () => {
    work.items["hb"] = workFromClaim("p1", claimAnswer("hb"));
    work.items["hb"]!.expiring = true;
    await work.heartbeat("hb");
    expect(work.get("hb")).toMatchObject({ state: "active", expiring: false });
  });

  it("forgets a finished claim, and brings back an open one after a reload of the page", () => {
    expect(sessionStorage.getItem("pipelines.work.again")).toBeNull();
    sessionStorage.setItem("pipelines.work.z", JSON.stringify(workFromClaim("p1", claimAnswer("z"))));
    expect(work.get("z")).toBeNull();
    expect(work.restore("z")?.claim.token).toBe("tok-z");
    expect(work.get("z")?.state).toBe("active");
  });

  it("forgets the claims this tab opened when the session ends, so the next person here cannot reopen them", async () => {
    const w = await work.claim("p1", "n-eval");
    expect(sessionStorage.getItem(`pipelines.work.${w.claim.id}`)).not.toBeNull();
    session.token = "t-u1";
    session.logout();
    expect(work.get(w.claim.id)).toBeNull();
    expect(work.restore(w.claim.id)).toBeNull();
    expect(sessionStorage.getItem(`pipelines.work.${w.claim.id}`)).toBeNull();

    // A session that ended on its own (expired, ended elsewhere) forgets them too.
    const again = await work.claim("p1", "n-eval");
    session.token = "t-u1";
    await session.ended("t-u1");
    expect(work.restore(again.claim.id)).toBeNull();
  });
});
