// The data explorer: tasks with their latest evaluations and reviews,
// filtered, sorted both ways on three fields, keyset-paged without gaps or repeats.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { client } from "../helpers/http";
import { seedPipeline, seedReview, seedSubmission, seedTask } from "../helpers/seed-data";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const at = (min: number) => new Date(Date.UTC(2026, 10, 1, 12, min));

async function scene() {
  const w = await createWorld(t.deps);
  const p = await seedPipeline(t.deps, w.project);
  const agent = await t.deps.db.agent.create({ data: { projectId: w.project.id, name: "Bot" } });
  // t1: evaluated, returned, evaluated again, passed → completed.
  const t1 = await seedTask(t.deps, w.project, p, { nodeId: p.end.id, status: "completed", priority: 5, createdAt: at(1) });
  const s1 = await seedSubmission(t.deps, w.project, t1.id, p.evaluate.id, w.contributor.id, { accuracy: 2 }, 1);
  await seedReview(t.deps, w.project, { id: s1.id, taskId: t1.id }, p.review.id, w.owner.id, "return", 1, "look again");
  const s1b = await seedSubmission(t.deps, w.project, t1.id, p.evaluate.id, w.contributor.id, { accuracy: 4, notes: "fixed" }, 2);
  await seedReview(t.deps, w.project, { id: s1b.id, taskId: t1.id }, p.review.id, w.owner.id, "pass", 2);
  // t2: from an agent run, waiting for review.
  const t2 = await seedTask(t.deps, w.project, p, { nodeId: p.review.id, priority: 1, createdAt: at(2) });
  const run = await t.deps.db.run.create({
    data: { projectId: w.project.id, agentId: agent.id, pipelineId: p.pipeline.id, taskId: t2.id, input: { q: 1 }, output: { a: 2 } },
  });
  await t.deps.db.task.update({ where: { id: t2.id }, data: { runId: run.id } });
  await seedSubmission(t.deps, w.project, t2.id, p.evaluate.id, w.admin.id, { accuracy: 5 });
  // t3, t4: untouched.
  const t3 = await seedTask(t.deps, w.project, p, { priority: 9, createdAt: at(3) });
  const t4 = await seedTask(t.deps, w.project, p, { priority: 1, createdAt: at(4) });
  return { w, p, agent, run, t1, t2, t3, t4 };
}

type Item = { id: string; evaluations: any[]; reviews: any[]; counts: any; run: any; node: any; status: string };

describe("data explorer", () => {
  it("lists tasks newest first with their latest evaluation and review per node", async () => {
    const s = await scene();
    const r = await client(t.url, s.w.viewer.token).get(`/api/projects/${s.w.project.id}/explorer`);
    expect(r.status).toBe(200);
    const items = r.body.items as Item[];
    expect(items.map((i) => i.id)).toEqual([s.t4.id, s.t3.id, s.t2.id, s.t1.id]);
    const t1 = items[3]!;
    expect(t1).toMatchObject({ status: "completed", node: { key: "end", kind: "end" }, counts: { evaluations: 2, reviews: 2 } });
    expect(t1.evaluations).toHaveLength(1);
    expect(t1.evaluations[0]).toMatchObject({ node: "evaluate", attempt: 2, answers: { accuracy: 4, notes: "fixed" }, userId: s.w.contributor.id });
    expect(t1.reviews[0]).toMatchObject({ node: "review", verdict: "pass", round: 2 });
    expect(items[2]!.run).toMatchObject({ id: s.run.id, agentId: s.agent.id });
  });

  it("filters by status, node, pipeline, agent, source, contributor and creation time", async () => {
    const s = await scene();
    const c = client(t.url, s.w.owner.token);
    const ids = async (q: string) => ((await c.get(`/api/projects/${s.w.project.id}/explorer?${q}`)).body.items as Item[]).map((i) => i.id);
    expect(await ids("status=completed")).toEqual([s.t1.id]);
    expect(await ids(`nodeId=${s.p.review.id}`)).toEqual([s.t2.id]);
    expect(await ids(`pipelineId=${s.p.pipeline.id}&status=queued`)).toEqual([s.t4.id, s.t3.id, s.t2.id]);
    expect(await ids(`agentId=${s.agent.id}`)).toEqual([s.t2.id]);
    expect(await ids("source=run")).toEqual([s.t2.id]);
    expect(await ids("source=import")).toEqual([s.t4.id, s.t3.id, s.t1.id]);
    expect(await ids(`contributorId=${s.w.contributor.id}`)).toEqual([s.t1.id]);
    expect(await ids(`contributorId=${s.w.owner.id}`)).toEqual([s.t1.id]); // reviews count too
    expect(await ids(`createdFrom=${at(2).toISOString()}&createdTo=${at(4).toISOString()}`)).toEqual([s.t3.id, s.t2.id]);
  });

  it("sorts on createdAt, updatedAt and priority both ways; pages never skip or repeat", async () => {
    const s = await scene();
    const c = client(t.url, s.w.owner.token);
    const walk = async (sort: string, order: string) => {
      const out: string[] = [];
      let cursor: string | null = "";
      while (cursor !== null) {
        const r: { status: number; body: { items: Item[]; nextCursor: string | null } } = await c.get(
          `/api/projects/${s.w.project.id}/explorer?sort=${sort}&order=${order}&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(r.status).toBe(200);
        out.push(...r.body.items.map((i) => i.id));
        cursor = r.body.nextCursor;
      }
      return out;
    };
    const tasks = [s.t1, s.t2, s.t3, s.t4];
    const byPriority = [...tasks].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1)).map((x) => x.id);
    expect(await walk("priority", "asc")).toEqual(byPriority);
    expect(await walk("priority", "desc")).toEqual([...byPriority].reverse());
    expect(await walk("createdAt", "asc")).toEqual(tasks.map((x) => x.id));
    expect(await walk("updatedAt", "desc")).toHaveLength(4);
    // A cursor made for one sort is refused by another.
    const first = await c.get(`/api/projects/${s.w.project.id}/explorer?sort=createdAt&limit=1`);
    const wrong = await c.get(`/api/projects/${s.w.project.id}/explorer?sort=priority&limit=1&cursor=${first.body.nextCursor}`);
    expect([wrong.status, wrong.body.error.code]).toEqual([400, "invalid_request"]);
  });

  it("filters by contributor type: tasks assigned to it or waiting at a node that requires it", async () => {
    const s = await scene();
    const c = client(t.url, s.w.owner.token);
    await t.deps.db.pipelineNode.update({ where: { id: s.p.review.id }, data: { contributorTypeId: s.w.type.id } });
    await t.deps.db.task.update({ where: { id: s.t3.id }, data: { assignedTypeId: s.w.type.id } });
    const other = await t.deps.db.contributorType.create({ data: { projectId: s.w.project.id, name: "Other", claimLimit: 1 } });
    const ids = async (q: string) => ((await c.get(`/api/projects/${s.w.project.id}/explorer?${q}`)).body.items as Item[]).map((i) => i.id);
    expect(await ids(`contributorTypeId=${s.w.type.id}`)).toEqual([s.t3.id, s.t2.id]);
    expect(await ids(`contributorTypeId=${s.w.type.id}&status=queued&nodeId=${s.p.evaluate.id}`)).toEqual([s.t3.id]);
    expect(await ids(`contributorTypeId=${other.id}`)).toEqual([]);
    // The export takes the same filter.
    const lines = (await c.get(`/api/projects/${s.w.project.id}/export?format=jsonl&contributorTypeId=${s.w.type.id}`)).text.trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).id)).toEqual([s.t2.id, s.t3.id]);
  });

  it("items carry the payload's size and a preview, not the payload; the task's route carries it whole", async () => {
    const s = await scene();
    // PostgreSQL writes jsonb keys shortest first: the prompt leads the preview.
    const big = { prompt: "P".repeat(50), response: "A".repeat(200_000) };
    const t5 = await seedTask(t.deps, s.w.project, s.p, { payload: big, createdAt: at(5) });
    const c = client(t.url, s.w.viewer.token);
    const r = await c.get(`/api/projects/${s.w.project.id}/explorer`);
    expect(r.status).toBe(200);
    expect(r.text.length).toBeLessThan(20_000);
    const item = r.body.items[0];
    expect(item.id).toBe(t5.id);
    expect(item).not.toHaveProperty("payload");
    expect(item.payloadSize).toBeGreaterThan(200_000);
    expect(item.preview).toHaveLength(200);
    expect(item.preview).toContain("P".repeat(50));
    expect(r.body.items[1].preview).toBe('{"q": "question"}');
    const one = await c.get(`/api/tasks/${t5.id}`);
    expect(one.status).toBe(200);
    expect(one.body.payload).toEqual(big);
    // The export is where whole payloads go.
    const line = (await c.get(`/api/projects/${s.w.project.id}/export?format=jsonl`)).text.trim().split("\n").map((l) => JSON.parse(l));
    expect(line.find((l) => l.id === t5.id).payload).toEqual(big);
    // The task's route is for the same readers.
    expect((await client(t.url, s.w.contributor.token).get(`/api/tasks/${t5.id}`)).status).toBe(403);
    expect((await client(t.url, s.w.other.admin.token).get(`/api/tasks/${t5.id}`)).status).toBe(404);
  });

  it("is for Owners, Viewers and Org Admins of the project", async () => {
    const s = await scene();
    const path = `/api/projects/${s.w.project.id}/explorer`;
    expect((await client(t.url, s.w.admin.token).get(path)).status).toBe(200);
    expect((await client(t.url, s.w.contributor.token).get(path)).status).toBe(403);
    expect((await client(t.url, s.w.other.admin.token).get(path)).status).toBe(404);
    expect((await client(t.url, s.w.owner.token).get(`${path}?sort=name`)).status).toBe(400);
  });
});
