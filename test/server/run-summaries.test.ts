// Run lists carry summaries (sizes and a short preview), never the payloads;
// GET /api/runs/:runId gives one run whole. A run's body may be up to
// RUN_BODY_LIMIT_MB (8 MB by default), and a larger one is told the limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { queueProject, type QueueProject } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function withAgent(app = t) {
  const q = await queueProject(app.deps, app.url);
  const agent = await client(app.url, q.owner.token).post(`/api/projects/${q.project.id}/agents`, { name: "Bot" });
  expect(agent.status).toBe(201);
  return { q, agentId: agent.body.id as string };
}

const send = (q: QueueProject, agentId: string, body: Record<string, unknown>, url = t.url) =>
  client(url, q.owner.token).post(`/api/agents/${agentId}/runs`, { pipelineId: q.pipeline.id, ...body });

describe("run summaries and the run's own route", () => {
  it("a page of runs carries sizes and a preview, not the payloads; GET /api/runs/:runId carries them whole", async () => {
    const { q, agentId } = await withAgent();
    const big = `${"Q".repeat(10)}${"x".repeat(300_000)}`;
    const made = await send(q, agentId, { input: big, output: { answer: "4", why: "y".repeat(300_000) }, trace: [{ step: "z".repeat(300_000) }] });
    expect(made.status, made.text).toBe(201);
    // The answer to the agent does not echo what it sent either.
    expect(made.body).not.toHaveProperty("input");
    expect(made.text.length).toBeLessThan(2_000);

    const list = await client(t.url, q.owner.token).get(`/api/projects/${q.project.id}/runs`);
    expect(list.status).toBe(200);
    expect(list.text.length).toBeLessThan(2_000);
    const item = list.body.items[0];
    for (const k of ["input", "output", "trace"]) expect(item).not.toHaveProperty(k);
    expect(item).toMatchObject({ id: made.body.id, taskId: made.body.taskId, agentId, task: { status: "queued" } });
    // Sizes are the bytes of each part's JSON text; the preview is its first 200 characters as text.
    expect(item.sizes.input).toBe(JSON.stringify(big).length);
    expect(item.sizes.output).toBeGreaterThan(300_000);
    expect(item.sizes.trace).toBeGreaterThan(300_000);
    expect(item.preview.input).toBe(big.slice(0, 200));
    expect(item.preview.output.length).toBe(200);
    expect(item.preview.output.startsWith("{")).toBe(true);

    const one = await client(t.url, q.owner.token).get(`/api/runs/${made.body.id}`);
    expect(one.status, one.text).toBe(200);
    expect(one.body).toMatchObject({ id: made.body.id, agentId, input: big, output: { answer: "4" }, trace: [{ step: "z".repeat(300_000) }], sizes: item.sizes });
  });

  it("a run without a trace has no trace size; previews of short values are whole", async () => {
    const { q, agentId } = await withAgent();
    const made = await send(q, agentId, { input: { q: "2+2?" }, output: null });
    const item = (await client(t.url, q.owner.token).get(`/api/projects/${q.project.id}/runs`)).body.items[0];
    expect(item).toMatchObject({ id: made.body.id, sizes: { trace: null }, preview: { input: '{"q": "2+2?"}', output: "null" } });
    const one = (await client(t.url, q.owner.token).get(`/api/runs/${made.body.id}`)).body;
    expect([one.input, one.output, one.trace]).toEqual([{ q: "2+2?" }, null, null]);
  });

  it("GET /api/runs/:runId: readers of the project; another org and missing runs 404, contributors 403", async () => {
    const { q, agentId } = await withAgent();
    const run = (await send(q, agentId, { input: "a", output: "b" })).body;
    const path = `/api/runs/${run.id}`;
    expect((await client(t.url, q.admin.token).get(path)).status).toBe(200);
    expect((await client(t.url, q.owner.token).get(path)).status).toBe(200);
    const key = await client(t.url, q.admin.token).post(`/api/orgs/${q.org.id}/api-keys`, { name: "reader" });
    expect((await client(t.url, key.body.key).get(path)).status).toBe(200);
    const contributor = await client(t.url, q.types.Evaluators!.people[0]!.token).get(path);
    expect([contributor.status, contributor.body.error.code]).toEqual([403, "forbidden"]);
    const outsider = await queueProject(t.deps, t.url);
    expect((await client(t.url, outsider.admin.token).get(path)).status).toBe(404);
    expect((await client(t.url, outsider.owner.token).get(path)).status).toBe(404);
    expect((await client(t.url, q.owner.token).get(`/api/runs/no-such-run`)).status).toBe(404);
    expect((await client(t.url).get(path)).status).toBe(401);
  });
});

describe("the run body limit", () => {
  it("takes runs over the general 1 MB body limit (a 1.5 MB trace)", async () => {
    const { q, agentId } = await withAgent();
    const r = await send(q, agentId, { input: "q", output: "a", trace: "t".repeat(1_500_000) });
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    expect((await client(t.url, q.owner.token).get(`/api/runs/${r.body.id}`)).body.trace).toHaveLength(1_500_000);
  });

  it("a run over the limit answers 413 naming the limit; nothing is written", async () => {
    const { q, agentId } = await withAgent();
    const r = await send(q, agentId, { input: "q", output: "a", trace: "t".repeat(8 * 1024 * 1024 + 10) });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("payload_too_large");
    expect(r.body.error.message).toContain("8 MB");
    expect(r.body.error.details).toMatchObject({ limitBytes: 8 * 1024 * 1024 });
    expect(r.body.error.details.receivedBytes).toBeGreaterThan(8 * 1024 * 1024);
    expect(await t.deps.db.run.count({ where: { agentId } })).toBe(0);
  });

  it("other routes keep their own limit and say it", async () => {
    const { q } = await withAgent();
    const r = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/agents`, { name: "x", description: "d".repeat(1_100_000) });
    expect(r.status).toBe(413);
    expect(r.body.error.message).toContain("1 MB");
    expect(r.body.error.details).toMatchObject({ limitBytes: 1024 * 1024 });
  });

  it("RUN_BODY_LIMIT_MB sets the limit", async () => {
    const small = await startTestApp({ config: { RUN_BODY_LIMIT_MB: 2 } });
    try {
      const { q, agentId } = await withAgent(small);
      expect((await send(q, agentId, { input: "q", output: "a", trace: "t".repeat(1_500_000) }, small.url)).status).toBe(201);
      const r = await send(q, agentId, { input: "q", output: "a", trace: "t".repeat(2_200_000) }, small.url);
      expect([r.status, r.body.error.details?.limitBytes]).toEqual([413, 2 * 1024 * 1024]);
      expect(r.body.error.message).toContain("2 MB");
    } finally {
      await small.close();
    }
  });
});
