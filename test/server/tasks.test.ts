// Tasks over HTTP: bulk import as JSON and CSV (all or nothing, clear limits,
// line numbers for malformed CSV), list filters, and a task's full history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { goodAnswers, importTasks, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
});
afterAll(() => t.close());

const csv = (q: QueueProject, text: string) =>
  client(q.url, q.owner.token).call("POST", `/api/pipelines/${q.pipeline.id}/tasks`, text, { "content-type": "text/csv" });

describe("importing tasks", () => {
  it("imports JSON tasks into the first node, queued, with priority and assignment", async () => {
    const q = await queueProject(t.deps, t.url);
    const alice = q.types.Evaluators!.people[0]!;
    const ids = await importTasks(q, [
      { payload: { input: "a" } },
      { payload: { input: "b" }, priority: 5, assignTo: { userId: alice.id } },
      { payload: { input: "c" }, assignTo: { contributorTypeId: q.types.Evaluators!.id } },
    ]);
    expect(ids).toHaveLength(3);
    const rows = await t.deps.db.task.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.id)).toEqual(ids); // ids are in import order
    expect(rows.every((r) => r.status === "queued" && r.nodeId === q.node("evaluate") && r.claimEpoch === 0)).toBe(true);
    expect(rows[1]).toMatchObject({ priority: 5, assignedUserId: alice.id });
    expect(rows[2]).toMatchObject({ assignedTypeId: q.types.Evaluators!.id });
    expect(await t.deps.db.taskEvent.count({ where: { taskId: { in: ids }, type: "imported" } })).toBe(3);
  });

  it("keeps a payload exactly as sent, an own __proto__ key included, without polluting anything", async () => {
    const q = await queueProject(t.deps, t.url);
    const payload = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}, "q": "a"}');
    const [id] = await importTasks(q, [{ payload }]);
    const r = await client(q.url, q.owner.token).get(`/api/tasks/${id}`);
    expect(r.status).toBe(200);
    // jsonb keeps keys in its own order, so compare them as a set.
    expect(Object.keys(r.body.payload).sort()).toEqual(["__proto__", "constructor", "q"]);
    expect(Object.getOwnPropertyDescriptor(r.body.payload, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const bad = await client(q.url, q.owner.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: [1, 2] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
  });

  it("imports CSV: a JSON payload column, data columns, priority and assignment", async () => {
    const q = await queueProject(t.deps, t.url);
    const bob = q.types.Evaluators!.people[1]!;
    const res = await csv(
      q,
      [
        "payload,question,priority,assign_user_id",
        `"{""input"":""hello"",""turns"":2}",What is 2+2?,3,${bob.id}`,
        `,"Quoted, with comma",,`,
      ].join("\n"),
    );
    expect(res.status).toBe(201);
    const rows = await t.deps.db.task.findMany({ where: { id: { in: res.body.taskIds } }, orderBy: { id: "asc" } });
    expect(rows[0]).toMatchObject({ priority: 3, assignedUserId: bob.id, payload: { input: "hello", turns: 2, question: "What is 2+2?" } });
    expect(rows[1]).toMatchObject({ priority: 0, assignedUserId: null, payload: { question: "Quoted, with comma" } });
  });

  it("keeps CSV payload keys as data, a __proto__ column or JSON key included", async () => {
    const q = await queueProject(t.deps, t.url);
    const res = await csv(q, ['payload,__proto__,q', '"{""__proto__"":{""polluted"":true},""a"":1}",zz,hi'].join("\n"));
    expect(res.status).toBe(201);
    const r = await client(q.url, q.owner.token).get(`/api/tasks/${res.body.taskIds[0]}`);
    expect(Object.keys(r.body.payload).sort()).toEqual(["__proto__", "a", "q"]);
    // The data column wins over the payload column's key of the same name, as for any column.
    expect(Object.getOwnPropertyDescriptor(r.body.payload, "__proto__")?.value).toBe("zz");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const malformed: Array<[string, string, number]> = [
    ["a record with too many fields", "question,answer\nq1,a1\nq2,a2,extra\n", 3],
    ["an unclosed quote", 'question\nq1\n"q2\nq3\n', 4],
    ["a payload that is not JSON", 'payload\n"{""a"":1}"\n"{""a"":1}"\n{nope}\n', 4],
    ["a priority that is not a whole number", "question,priority\nq1,1\nq2,high\n", 3],
    // One of the two values would be dropped without a word.
    ["a column named twice in the header", "question,answer,question\nq1,a1,q1b\n", 1],
  ];
  for (const [what, text, line] of malformed) {
    it(`answers 400 with the line number for ${what}, and imports nothing`, async () => {
      const q = await queueProject(t.deps, t.url);
      const res = await csv(q, text);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.details.line).toBe(line);
      expect(res.body.error.message).toContain(`line ${line}`);
      expect(await t.deps.db.task.count({ where: { projectId: q.project.id } })).toBe(0);
    });
  }

  it("takes 10,000 tasks in one request and refuses 10,001 with 413", async () => {
    const q = await queueProject(t.deps, t.url);
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ payload: { i } }));
    const over = await client(q.url, q.owner.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: many(10_001) });
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe("payload_too_large");
    expect(over.body.error.message).toContain("10000");
    const ok = await client(q.url, q.owner.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: many(10_000) });
    expect(ok.status).toBe(201);
    expect(await t.deps.db.task.count({ where: { projectId: q.project.id } })).toBe(10_000);
    const queue = await client(q.url, q.types.Evaluators!.people[0]!.token).get(`/api/projects/${q.project.id}/queue`);
    expect(queue.body.items.find((i: { key: string }) => i.key === "evaluate").available).toBe(10_000);
  });

  it("answers 413 for a body over the import limit", async () => {
    const q = await queueProject(t.deps, t.url);
    const big = "x".repeat(40 * 1024 * 1024);
    const res = await client(q.url, q.owner.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { big } }] });
    expect(res.status).toBe(413);
  });

  it("refuses assignment to someone who cannot work the project, naming the task", async () => {
    const q = await queueProject(t.deps, t.url);
    const res = await client(q.url, q.owner.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, {
      tasks: [{ payload: {} }, { payload: {}, assignTo: { userId: q.owner.id } }, { payload: {}, assignTo: { contributorTypeId: "nope" } }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(["tasks.1.assignTo.userId", "tasks.2.assignTo.contributorTypeId"]);
    expect(await t.deps.db.task.count({ where: { projectId: q.project.id } })).toBe(0);
  });

  it("refuses assignment to a contributor or type that cannot work the first node", async () => {
    const q = await queueProject(t.deps, t.url); // evaluate needs Evaluators
    const reviewer = q.types.Reviewers!.people[0]!;
    const res = await client(q.url, q.owner.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, {
      tasks: [
        { payload: {}, assignTo: { userId: q.types.Evaluators!.people[0]!.id } },
        { payload: {}, assignTo: { userId: reviewer.id } },
        { payload: {}, assignTo: { contributorTypeId: q.types.Reviewers!.id } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([
      expect.objectContaining({ path: "tasks.1.assignTo.userId", message: expect.stringContaining("another contributor type") }),
      expect.objectContaining({ path: "tasks.2.assignTo.contributorTypeId", message: expect.stringContaining("another contributor type") }),
    ]);
    expect(await t.deps.db.task.count({ where: { projectId: q.project.id } })).toBe(0);
  });

  it("answers 404 for another org's pipeline and 403 for a viewer", async () => {
    const q = await queueProject(t.deps, t.url);
    const other = await queueProject(t.deps, t.url);
    const body = { tasks: [{ payload: {} }] };
    expect((await client(t.url, other.admin.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, body)).status).toBe(404);
    const viewer = await (await import("../helpers/factories")).addProjectMember(t.deps, q.project, "viewer");
    expect((await client(t.url, viewer.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, body)).status).toBe(403);
  });
});

describe("listing and reading tasks", () => {
  it("filters by status, node and contributor type, oldest first, paged", async () => {
    const q = await queueProject(t.deps, t.url);
    const ids = await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 }, assignTo: { contributorTypeId: q.types.Evaluators!.id } }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const c = await mustClaim(q, alice!, "evaluate");
    expect((await submitAs(q, alice!, c, { answers: goodAnswers })).status).toBe(201);
    await mustClaim(q, bob!, "evaluate");
    const admin = client(q.url, q.admin.token);
    const list = async (qs: string) => (await admin.get(`/api/projects/${q.project.id}/tasks?${qs}`)).body;
    const idsOf = async (qs: string) => (await list(qs)).items.map((x: { id: string }) => x.id);
    expect(await idsOf("status=claimed")).toEqual([ids[1]]);
    expect(await idsOf("status=queued")).toEqual([ids[0], ids[2]]);
    expect(await idsOf(`nodeId=${q.node("review")}`)).toEqual([ids[0]]);
    // A type's work: waiting at a node it works, or assigned to the type.
    expect(await idsOf(`contributorTypeId=${q.types.Reviewers!.id}`)).toEqual([ids[0]]);
    expect(await idsOf(`contributorTypeId=${q.types.Evaluators!.id}&status=queued`)).toEqual([ids[2]]);
    const first = await list("limit=2");
    expect(first.items).toHaveLength(2);
    const second = await list(`limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((x: { id: string }) => x.id)).toEqual([ids[2]]);
    expect(second.nextCursor).toBeNull();
  });

  it("lists summaries (the payload's size and first 200 characters), never the payload; the task's route carries it whole", async () => {
    const q = await queueProject(t.deps, t.url);
    // PostgreSQL writes jsonb keys shortest first: the prompt leads the preview.
    const big = { prompt: "P".repeat(50), response: "A".repeat(300_000) };
    const [bigId, smallId] = await importTasks(q, [{ payload: big, priority: 2 }, { payload: { q: "2+2?" } }]);
    const res = await client(q.url, q.owner.token).get(`/api/projects/${q.project.id}/tasks`);
    expect(res.status).toBe(200);
    expect(res.text.length).toBeLessThan(20_000);
    const [first, second] = res.body.items;
    expect(first).not.toHaveProperty("payload");
    expect(first).toMatchObject({ id: bigId, status: "queued", priority: 2, nodeId: q.node("evaluate"), assignmentApplies: null });
    expect(first.payloadSize).toBe(`{"prompt": "${big.prompt}", "response": "${big.response}"}`.length); // bytes of its JSON text
    expect(first.preview).toHaveLength(200);
    expect(first.preview.startsWith(`{"prompt": "${"P".repeat(50)}"`)).toBe(true);
    expect(second).toMatchObject({ id: smallId, payloadSize: 13, preview: '{"q": "2+2?"}' });
    const one = await client(q.url, q.owner.token).get(`/api/tasks/${bigId}`);
    expect(one.body.payload).toEqual(big);
    // The API document says so.
    const doc = (await client(t.url).get("/api/openapi.json")).body;
    const list = JSON.stringify(doc.paths["/api/projects/{projectId}/tasks"].get.responses);
    for (const field of ['"payloadSize"', '"preview"']) expect(list).toContain(field);
    expect(list).not.toContain('"payload"');
    expect(JSON.stringify(doc.paths["/api/tasks/{taskId}"].get.responses)).toContain('"payload"');
  });

  it("reads a task with its history in order, with who and when", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: { input: "hi" } }]);
    const [alice, bob] = q.types.Evaluators!.people;
    const first = await mustClaim(q, alice!, "evaluate");
    expect((await client(q.url, alice!.token).delete(`/api/claims/${first.id}`, { token: first.token })).status).toBe(204);
    const second = await mustClaim(q, bob!, "evaluate");
    expect((await submitAs(q, bob!, second, { answers: goodAnswers })).status).toBe(201);
    const res = await client(q.url, q.owner.token).get(`/api/tasks/${id}`);
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d.history.map((h: { type: string }) => h.type)).toEqual(["imported", "claimed", "released", "claimed", "submitted", "moved"]);
    expect(d.history[1].user).toEqual({ id: alice!.id, name: alice!.name });
    expect(d.history[4].user.id).toBe(bob!.id);
    expect(d.claims.map((c: { outcome: string; epoch: number }) => [c.outcome, c.epoch])).toEqual([["released", 1], ["submitted", 2]]);
    expect(d.submissions).toEqual([expect.objectContaining({ attempt: 1, answers: goodAnswers, user: { id: bob!.id, name: bob!.name } })]);
    expect(d).toMatchObject({ status: "queued", nodeId: q.node("review") });
    expect(JSON.stringify(d)).not.toContain(second.token);
  });

  it("answers 404 for a task of another org", async () => {
    const q = await queueProject(t.deps, t.url);
    const other = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    expect((await client(t.url, other.admin.token).get(`/api/tasks/${id}`)).status).toBe(404);
    expect((await client(t.url, q.types.Evaluators!.people[0]!.token).get(`/api/tasks/${id}`)).status).toBe(403);
  });
});
