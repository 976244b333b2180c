// GET /api/projects/:projectId/queue/:nodeId/tasks: the tasks a contributor could
// claim right now at a node, in Claim next's order, and the queue answer's count of
// what is kept for them (returned to them, assigned to them). The list must agree
// with the claim: each test compares it with what Claim next then hands out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createOrg, createProject, type TestUser } from "../helpers/factories";
import { client } from "../helpers/http";
import { evaluateForm, goodAnswers, importTasks, mustClaim, queueProject, submitAs, type QueueProject } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
});
afterAll(() => t.close());

interface Available {
  id: string;
  priority: number;
  createdAt: string;
  preview: string;
  reservedForMe: "rework" | "assigned" | null;
  reviewComment: string | null;
}

const path = (q: QueueProject, nodeKey: string, query: Record<string, string | number> = {}) => {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  return `/api/projects/${q.project.id}/queue/${q.node(nodeKey)}/tasks${qs ? `?${qs}` : ""}`;
};

async function listAll(q: QueueProject, who: TestUser, nodeKey: string, limit = 100): Promise<Available[]> {
  const out: Available[] = [];
  let cursor: string | undefined;
  do {
    const r = await client(t.url, who.token).get(path(q, nodeKey, { limit, ...(cursor ? { cursor } : {}) }));
    expect(r.status, r.text).toBe(200);
    expect(r.body.items.length).toBeLessThanOrEqual(limit);
    out.push(...r.body.items);
    cursor = r.body.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

async function reservedCounts(q: QueueProject, who: TestUser, nodeKey: string) {
  const r = await client(t.url, who.token).get(`/api/projects/${q.project.id}/queue`);
  expect(r.status, r.text).toBe(200);
  return r.body.items.find((i: { nodeId: string }) => i.nodeId === q.node(nodeKey)).reservedForMe;
}

/** Claim next until the queue is empty for them: the order the list must show. */
async function drain(q: QueueProject, who: TestUser, nodeKey: string): Promise<string[]> {
  const order: string[] = [];
  for (;;) {
    const r = await client(t.url, who.token).post(`/api/projects/${q.project.id}/claims`, { nodeId: q.node(nodeKey) });
    if (r.status !== 201) {
      expect(r.body.error.code).toBe("queue_empty");
      return order;
    }
    order.push(r.body.claim.taskId);
  }
}

// One type works both nodes, so an author could reach their own submission's review.
const sameType = (claimLimit = 20) =>
  queueProject(t.deps, t.url, {
    lanes: [
      { name: "Evaluators", claimLimit, people: 3 },
      { name: "Others", claimLimit, people: 1 },
    ],
    nodes: [
      { key: "evaluate", kind: "task", name: "Evaluate", form: evaluateForm },
      { key: "review", kind: "review", name: "Review", reviews: "evaluate" },
      { key: "done", kind: "end", name: "Done" },
    ],
  });

describe("the tasks available to me at a node", () => {
  it("lists exactly what Claim next gives, in its order: assignments to others hidden, mine and my type's flagged, claimed ones gone", async () => {
    const q = await sameType();
    const [alice, bob] = q.types.Evaluators!.people;
    const ids = await importTasks(q, [
      { payload: { n: 0 } },
      { payload: { n: 1 }, priority: 5 },
      { payload: { n: 2 }, assignTo: { userId: alice!.id } },
      { payload: { n: 3 }, assignTo: { userId: bob!.id } },
      { payload: { n: 4 }, assignTo: { contributorTypeId: q.types.Evaluators!.id } },
      { payload: { n: 5 }, assignTo: { contributorTypeId: q.types.Others!.id } },
      { payload: { text: "x".repeat(500) }, priority: -3 },
      { payload: { n: 7 }, priority: 5 },
    ]);
    // One claimed by bob: no longer available to anyone.
    await mustClaim(q, bob!, "evaluate", ids[1]);

    const listed = await listAll(q, alice!, "evaluate");
    expect(listed.map((x) => x.id).sort()).toEqual([ids[0], ids[2], ids[4], ids[6], ids[7]].sort());
    // Priority first, then the oldest (one import: one instant, so the claim's tie-break decides).
    expect(listed[0]!.id).toBe(ids[7]);
    expect(listed[listed.length - 1]!.id).toBe(ids[6]);
    const byId = new Map(listed.map((x) => [x.id, x]));
    expect(byId.get(ids[2]!)).toMatchObject({ reservedForMe: "assigned", reviewComment: null, priority: 0 });
    expect(byId.get(ids[4]!)!.reservedForMe).toBeNull();
    expect(byId.get(ids[0]!)).toMatchObject({ reservedForMe: null, preview: '{"n": 0}' });
    // A preview, never the payload: its JSON text cut at 200 characters.
    expect(byId.get(ids[6]!)!.preview).toBe(`{"text": "${"x".repeat(500)}"}`.slice(0, 200));
    expect(await reservedCounts(q, alice!, "evaluate")).toEqual({ rework: 0, assigned: 1 });
    expect(await reservedCounts(q, bob!, "evaluate")).toEqual({ rework: 0, assigned: 1 });

    // Others see their own picture: the Others' member sees the open tasks and their type's.
    const [other] = q.types.Others!.people;
    expect((await listAll(q, other!, "evaluate")).map((x) => x.id).sort()).toEqual([ids[0], ids[5], ids[6], ids[7]].sort());

    expect(await drain(q, alice!, "evaluate")).toEqual(listed.map((x) => x.id));
    expect(await listAll(q, alice!, "evaluate")).toEqual([]);
  });

  it("pages in Claim next's order across the open, my own and my type's sets, also when the last one listed was taken meanwhile", async () => {
    const q = await sameType(40);
    const [alice, bob] = q.types.Evaluators!.people;
    const tasks = Array.from({ length: 23 }, (_, i) => ({
      payload: { i },
      priority: i % 4 === 1 ? -1 : i % 3, // alice's own never lead: bob claims the 4th below
      ...(i % 4 === 1 ? { assignTo: { userId: alice!.id } } : i % 4 === 2 ? { assignTo: { contributorTypeId: q.types.Evaluators!.id } } : {}),
    }));
    await importTasks(q, tasks);
    await importTasks(q, [{ payload: { late: true }, priority: 2 }]); // a later instant, same priority as some
    const whole = await listAll(q, alice!, "evaluate");
    expect(whole).toHaveLength(24);
    for (const limit of [1, 2, 5]) expect((await listAll(q, alice!, "evaluate", limit)).map((x) => x.id)).toEqual(whole.map((x) => x.id));

    // The first page's last task is claimed by someone else before the second page is read.
    const first = await client(t.url, alice!.token).get(path(q, "evaluate", { limit: 4 }));
    const last = first.body.items[3] as Available;
    expect(last.reservedForMe).not.toBe("assigned");
    await mustClaim(q, bob!, "evaluate", last.id);
    const rest = await client(t.url, alice!.token).get(path(q, "evaluate", { limit: 100, cursor: first.body.nextCursor }));
    expect(rest.status, rest.text).toBe(200);
    expect(rest.body.items.map((x: Available) => x.id)).toEqual(whole.slice(4).map((x) => x.id));
    expect(rest.body.nextCursor).toBeNull();

    expect(await drain(q, alice!, "evaluate")).toEqual(whole.filter((x) => x.id !== last.id).map((x) => x.id));
  });

  it("flags work returned to me with the reviewer's comment, and hides it from everyone else", async () => {
    const q = await sameType();
    const [alice, bob, carol] = q.types.Evaluators!.people;
    const [id, other] = await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }]);
    const mine = await mustClaim(q, alice!, "evaluate", id);
    expect((await submitAs(q, alice!, mine, { answers: goodAnswers })).status).toBe(201);
    const review = await mustClaim(q, bob!, "review");
    const comment = "Check the refund policy. " + "y".repeat(400);
    expect((await submitAs(q, bob!, review, { verdict: "return", comment })).status).toBe(201);

    const listed = await listAll(q, alice!, "evaluate");
    expect(listed.map((x) => x.id)).toEqual([id, other]);
    expect(listed[0]).toMatchObject({ reservedForMe: "rework", reviewComment: comment.slice(0, 200) });
    expect(await reservedCounts(q, alice!, "evaluate")).toEqual({ rework: 1, assigned: 0 });
    expect((await listAll(q, carol!, "evaluate")).map((x) => x.id)).toEqual([other]);
    expect(await reservedCounts(q, carol!, "evaluate")).toEqual({ rework: 0, assigned: 0 });
    expect(await drain(q, carol!, "evaluate")).toEqual([other]);
    expect(await drain(q, alice!, "evaluate")).toEqual([id]);
  });

  it("never lists my own submission at a review node", async () => {
    const q = await sameType();
    const [alice, bob, carol] = q.types.Evaluators!.people;
    const ids = await importTasks(q, [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    for (const [who, id] of [[alice!, ids[0]], [bob!, ids[1]], [alice!, ids[2]]] as const) {
      expect((await submitAs(q, who, await mustClaim(q, who, "evaluate", id), { answers: goodAnswers })).status).toBe(201);
    }
    expect((await listAll(q, alice!, "review", 1)).map((x) => x.id)).toEqual([ids[1]]);
    expect((await listAll(q, bob!, "review", 1)).map((x) => x.id)).toEqual([ids[0], ids[2]]);
    expect((await listAll(q, carol!, "review")).map((x) => x.id)).toEqual(ids);
    expect(await drain(q, alice!, "review")).toEqual([ids[1]]);
    expect(await drain(q, bob!, "review")).toEqual([ids[0], ids[2]]);
  });

  it("keeps an assignment for life: at the next node its assignee may work, it is still theirs", async () => {
    const q = await queueProject(t.deps, t.url, {
      lanes: [
        { name: "Evaluators", claimLimit: 5, people: 2 },
        { name: "Reviewers", claimLimit: 5, people: 1 },
      ],
      nodes: [
        { key: "first", kind: "task", name: "First", form: evaluateForm },
        { key: "second", kind: "task", name: "Second", form: evaluateForm },
        { key: "done", kind: "end", name: "Done" },
      ],
    });
    const [alice, bob] = q.types.Evaluators!.people;
    const [rev] = q.types.Reviewers!.people;
    const [id] = await importTasks(q, [{ payload: {}, assignTo: { userId: alice!.id } }]);
    expect(await listAll(q, bob!, "first")).toEqual([]);
    expect(await listAll(q, rev!, "first")).toEqual([]);
    expect((await listAll(q, alice!, "first"))[0]).toMatchObject({ id, reservedForMe: "assigned" });
    expect((await submitAs(q, alice!, await mustClaim(q, alice!, "first"), { answers: goodAnswers })).status).toBe(201);
    expect((await listAll(q, alice!, "second"))[0]).toMatchObject({ id, reservedForMe: "assigned" });
    expect(await listAll(q, bob!, "second")).toEqual([]);
    expect(await drain(q, bob!, "second")).toEqual([]);
  });

  it("an assignment gives way at a node its assignee may not work: that node's contributors see it", async () => {
    const q = await queueProject(t.deps, t.url);
    const res = await client(t.url, q.owner.token).post(`/api/projects/${q.project.id}/pipelines`, {
      name: "two stages",
      nodes: [
        { key: "first", kind: "task", name: "First", contributorTypeId: q.types.Evaluators!.id, form: evaluateForm },
        { key: "second", kind: "task", name: "Second", contributorTypeId: q.types.Reviewers!.id, form: evaluateForm },
        { key: "done", kind: "end", name: "Done" },
      ],
    });
    expect(res.status, res.text).toBe(201);
    const node = (key: string) => (res.body.nodes as Array<{ id: string; key: string }>).find((n) => n.key === key)!.id;
    const at = (key: string) => `/api/projects/${q.project.id}/queue/${node(key)}/tasks`;
    const [eva] = q.types.Evaluators!.people;
    const [rev] = q.types.Reviewers!.people;
    const imp = await client(t.url, q.owner.token).post(`/api/pipelines/${res.body.id}/tasks`, { tasks: [{ payload: {}, assignTo: { userId: eva!.id } }] });
    expect(imp.status, imp.text).toBe(201);
    const [id] = imp.body.taskIds as string[];
    expect((await client(t.url, eva!.token).get(at("first"))).body.items).toEqual([expect.objectContaining({ id, reservedForMe: "assigned" })]);
    const c = await client(t.url, eva!.token).post(`/api/projects/${q.project.id}/claims`, { nodeId: node("first") });
    expect((await client(t.url, eva!.token).post(`/api/claims/${c.body.claim.id}/submit`, { token: c.body.claim.token, answers: goodAnswers })).status).toBe(201);
    expect((await client(t.url, rev!.token).get(at("second"))).body.items).toEqual([expect.objectContaining({ id, reservedForMe: null })]);
    // The node's type is not the evaluator's: refused as a claim would be.
    const refused = await client(t.url, eva!.token).get(at("second"));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("wrong_contributor_type");
  });
});

describe("who may list", () => {
  it("only the project's contributors: Owners and Viewers 403, another org 404, another project's node 404, an end node 400, a bad cursor 400", async () => {
    const q = await sameType();
    const [alice] = q.types.Evaluators!.people;
    await importTasks(q, [{ payload: {} }]);
    const owner = await client(t.url, q.owner.token).get(path(q, "evaluate"));
    expect(owner.status).toBe(403);
    const viewer = await addProjectMember(t.deps, q.project, "viewer");
    expect((await client(t.url, viewer.token).get(path(q, "evaluate"))).status).toBe(403);
    const elsewhere = await createOrg(t.deps);
    const stranger = await addProjectMember(t.deps, await createProject(t.deps, elsewhere.org.id), "contributor");
    expect((await client(t.url, stranger.token).get(path(q, "evaluate"))).status).toBe(404);

    const otherProject = await sameType();
    const foreignNode = await client(t.url, alice!.token).get(`/api/projects/${q.project.id}/queue/${otherProject.node("evaluate")}/tasks`);
    expect(foreignNode.status).toBe(404);
    expect((await client(t.url, alice!.token).get(path(q, "done"))).status).toBe(400);
    const bad = await client(t.url, alice!.token).get(path(q, "evaluate", { cursor: "garbage" }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    expect((await client(t.url, alice!.token).get(path(q, "evaluate", { limit: 101 }))).status).toBe(400);
  });
});
