// Agent runs: ingesting one creates its task in the chosen pipeline (claimable
// at once); paused and archived agents are refused; runs are listed and their
// evaluations come out in the explorer and the export.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createProject } from "../helpers/factories";
import { client } from "../helpers/http";
import { claimAt, goodAnswers, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function withAgent(status: "active" | "paused" | "archived" = "active") {
  const q = await queueProject(t.deps, t.url);
  const agent = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/agents`, { name: "Bot", status });
  expect(agent.status).toBe(201);
  return { q, agentId: agent.body.id as string };
}

const ingest = (q: QueueProject, agentId: string, body: Record<string, unknown> = {}, token = q.owner.token) =>
  client(t.url, token).post(`/api/agents/${agentId}/runs`, { input: { prompt: "2+2?" }, output: { answer: "4" }, pipelineId: q.pipeline.id, ...body });

describe("agent runs", () => {
  it("a run creates its task at the pipeline's first node, claimable at once", async () => {
    const { q, agentId } = await withAgent();
    const r = await ingest(q, agentId, { trace: [{ step: "think" }], priority: 7 });
    expect(r.status, r.text).toBe(201);
    // The answer is the run's summary; the run whole is at GET /api/runs/:runId.
    expect(r.body).toMatchObject({ agentId, pipelineId: q.pipeline.id, task: { status: "queued", nodeId: q.node("evaluate") } });
    expect((await client(t.url, q.owner.token).get(`/api/runs/${r.body.id}`)).body).toMatchObject({
      input: { prompt: "2+2?" },
      output: { answer: "4" },
      trace: [{ step: "think" }],
    });
    const task = await t.deps.db.task.findUniqueOrThrow({ where: { id: r.body.taskId } });
    expect(task).toMatchObject({ runId: r.body.id, priority: 7, payload: { input: { prompt: "2+2?" }, output: { answer: "4" }, trace: [{ step: "think" }] } });
    const history = await t.deps.db.taskEvent.findMany({ where: { taskId: task.id } });
    expect(history.map((e) => e.type)).toEqual(["created"]);

    const evaluator = q.types.Evaluators!.people[0]!;
    const held = await mustClaim(q, evaluator, "evaluate");
    expect(held.taskId).toBe(task.id);
  });

  it("a paused or archived agent's runs are refused with agent_not_active; nothing is written", async () => {
    for (const status of ["paused", "archived"] as const) {
      const { q, agentId } = await withAgent(status);
      const r = await ingest(q, agentId);
      expect([r.status, r.body.error.code, r.body.error.details]).toEqual([409, "agent_not_active", { status }]);
      expect(await t.deps.db.run.count({ where: { agentId } })).toBe(0);
      expect(await t.deps.db.task.count({ where: { projectId: q.project.id } })).toBe(0);
      await client(t.url, q.owner.token).patch(`/api/projects/${q.project.id}/agents/${agentId}`, { status: "active" });
      expect((await ingest(q, agentId)).status).toBe(201);
    }
  });

  it("checks the pipeline, the body and who sends it; API keys may send runs", async () => {
    const { q, agentId } = await withAgent();
    const elsewhere = await createProject(t.deps, q.org.id);
    const foreign = await t.deps.db.pipeline.create({ data: { projectId: elsewhere.id, name: "other" } });
    expect((await ingest(q, agentId, { pipelineId: foreign.id })).status).toBe(404);
    expect((await ingest(q, agentId, { output: undefined })).status).toBe(400);
    expect((await ingest(q, agentId, { taskId: "x" })).status).toBe(400);
    expect((await ingest(q, "no-such-agent")).status).toBe(404);
    const evaluator = q.types.Evaluators!.people[0]!;
    expect((await ingest(q, agentId, {}, evaluator.token)).status).toBe(403);
    const key = await client(t.url, q.admin.token).post(`/api/orgs/${q.org.id}/api-keys`, { name: "agent" });
    expect((await ingest(q, agentId, { output: null }, key.body.key)).status).toBe(201);
    const outsider = await queueProject(t.deps, t.url);
    expect((await ingest(q, agentId, {}, outsider.admin.token)).status).toBe(404);
    expect(await t.deps.db.run.count({ where: { agentId } })).toBe(1);
  });

  it("lists runs newest first with their task's state, by agent, page by page", async () => {
    const { q, agentId } = await withAgent();
    const other = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/agents`, { name: "Other" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await ingest(q, agentId, { input: { i } })).body.id);
    await ingest(q, other.body.id);
    const evaluator = q.types.Evaluators!.people[0]!;
    const held = await mustClaim(q, evaluator, "evaluate");
    expect((await submitAs(q, evaluator, held, { answers: goodAnswers })).status).toBe(201);

    const viewer = client(t.url, q.owner.token);
    const seen: Array<{ id: string; taskId: string; task: { nodeId: string } }> = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const r: { body: { items: typeof seen; nextCursor: string | null } } = await viewer.get(
        `/api/projects/${q.project.id}/runs?agentId=${agentId}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...r.body.items);
      cursor = r.body.nextCursor;
    }
    expect(seen.map((r) => r.id)).toEqual([...ids].reverse());
    const moved = seen.find((r) => r.taskId === held.taskId)!;
    expect(moved.task.nodeId).toBe(q.node("review"));
    expect((await viewer.get(`/api/projects/${q.project.id}/runs`)).body.items).toHaveLength(4);
  });

  it("a run sent again under its externalId is answered, not made twice; other content under it is refused", async () => {
    const { q, agentId } = await withAgent();
    const body = { externalId: "trace-42", input: { prompt: "2+2?", lang: "en" }, trace: [{ step: 1.0 }] };
    const first = await ingest(q, agentId, body);
    expect([first.status, first.body.externalId, first.headers.get("idempotent-replayed")]).toEqual([201, "trace-42", null]);
    // The same content (keys in another order, 1.0 spelled 1) is the same run.
    const again = await ingest(q, agentId, { ...body, input: { lang: "en", prompt: "2+2?" }, trace: [{ step: 1 }] });
    expect([again.status, again.body.id, again.body.taskId, again.headers.get("idempotent-replayed")]).toEqual([
      200,
      first.body.id,
      first.body.taskId,
      "true",
    ]);
    const other = await ingest(q, agentId, { ...body, output: { answer: "5" } });
    expect([other.status, other.body.error.code, other.body.error.details]).toEqual([409, "run_exists", { runId: first.body.id, externalId: "trace-42" }]);
    expect((await ingest(q, agentId, { ...body, trace: undefined })).status).toBe(409);
    expect(await t.deps.db.run.count({ where: { agentId } })).toBe(1);
    expect(await t.deps.db.task.count({ where: { projectId: q.project.id } })).toBe(1);
    // One task in the queue: claimed once, then nothing is left.
    const evaluator = q.types.Evaluators!.people[0]!;
    expect((await mustClaim(q, evaluator, "evaluate")).taskId).toBe(first.body.taskId);
    expect((await claimAt(q, q.types.Evaluators!.people[1]!, "evaluate")).body.error.code).toBe("queue_empty");

    // A retry after the agent was paused still answers the run it made.
    await client(t.url, q.owner.token).patch(`/api/projects/${q.project.id}/agents/${agentId}`, { status: "paused" });
    expect((await ingest(q, agentId, body)).status).toBe(200);
    expect((await ingest(q, agentId, { ...body, externalId: "trace-43" })).status).toBe(409);
    // The id is the agent's own: another agent may use it.
    const second = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/agents`, { name: "Second" });
    expect((await ingest(q, second.body.id, body)).status).toBe(201);
    for (const bad of ["", "x".repeat(201), 7]) expect((await ingest(q, second.body.id, { externalId: bad })).status).toBe(400);

    const owner = client(t.url, q.owner.token);
    const listed = await owner.get(`/api/projects/${q.project.id}/runs?externalId=trace-42`);
    expect(listed.body.items.map((r: { agentId: string }) => r.agentId).sort()).toEqual([agentId, second.body.id].sort());
    const line = JSON.parse((await owner.get(`/api/projects/${q.project.id}/export?format=jsonl&agentId=${agentId}`)).text.trim());
    expect(line.run).toMatchObject({ id: first.body.id, externalId: "trace-42" });
    const [head, row] = (await owner.get(`/api/projects/${q.project.id}/export?format=csv&agentId=${agentId}`)).text.split("\n");
    const col = head!.split(",").indexOf("run_external_id");
    expect(col).toBeGreaterThan(0);
    expect(row!.split(",")[col]).toBe("trace-42");
    // The explorer and the export find tasks by it; a task names its run.
    const found = await owner.get(`/api/projects/${q.project.id}/explorer?externalId=trace-42`);
    expect(found.body.items).toHaveLength(2);
    const rows = (await owner.get(`/api/projects/${q.project.id}/export?format=jsonl&externalId=trace-42&agentId=${agentId}`)).text.trim().split("\n");
    expect(rows.map((r) => JSON.parse(r).id)).toEqual([first.body.taskId]);
    expect((await owner.get(`/api/projects/${q.project.id}/explorer?externalId=nope`)).body.items).toEqual([]);
    const task = await owner.get(`/api/tasks/${first.body.taskId}`);
    expect(task.body.run).toEqual({ id: first.body.id, agentId, externalId: "trace-42", createdAt: first.body.createdAt });
  });

  it("the same run sent many times at once makes one run and one task", async () => {
    const { q, agentId } = await withAgent();
    const sent = await Promise.all(Array.from({ length: 12 }, () => ingest(q, agentId, { externalId: "burst" })));
    expect(sent.map((r) => r.status).sort()).toEqual([...Array(11).fill(200), 201]);
    expect(new Set(sent.map((r) => r.body.id)).size).toBe(1);
    expect(await t.deps.db.run.count({ where: { agentId } })).toBe(1);
    expect(await t.deps.db.task.count({ where: { projectId: q.project.id } })).toBe(1);
    const evaluator = q.types.Evaluators!.people[0]!;
    await mustClaim(q, evaluator, "evaluate");
    expect((await claimAt(q, q.types.Evaluators!.people[1]!, "evaluate")).body.error.code).toBe("queue_empty");
  });

  it("a run's evaluation and review come out in the explorer and the export", async () => {
    const { q, agentId } = await withAgent();
    const run = (await ingest(q, agentId)).body;
    const evaluator = q.types.Evaluators!.people[0]!;
    const reviewer = q.types.Reviewers!.people[0]!;
    const e = await mustClaim(q, evaluator, "evaluate");
    expect((await submitAs(q, evaluator, e, { answers: { accuracy: 5, helpful: true, notes: "spot on" } })).status).toBe(201);
    const v = await mustClaim(q, reviewer, "review");
    expect((await submitAs(q, reviewer, v, { verdict: "pass" })).status).toBe(201);

    const owner = client(t.url, q.owner.token);
    const explored = await owner.get(`/api/projects/${q.project.id}/explorer?agentId=${agentId}`);
    expect(explored.body.items).toHaveLength(1);
    expect(explored.body.items[0]).toMatchObject({
      id: run.taskId,
      status: "completed",
      run: { id: run.id, agentId },
      evaluations: [{ node: "evaluate", userId: evaluator.id, answers: { accuracy: 5, helpful: true, notes: "spot on" } }],
      reviews: [{ node: "review", verdict: "pass", userId: reviewer.id }],
    });
    const line = JSON.parse((await owner.get(`/api/projects/${q.project.id}/export?format=jsonl`)).text.trim());
    expect(line).toMatchObject({ id: run.taskId, run: { id: run.id }, payload: { input: { prompt: "2+2?" } }, evaluations: [{ attempt: 1 }] });
    const csv = (await owner.get(`/api/projects/${q.project.id}/export?format=csv`)).text.split("\n");
    expect(csv[0]).toContain("evaluate.accuracy");
    expect(csv[1]).toContain(run.id);
  });
});
