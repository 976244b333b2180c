// The claim engine's cached definitions (queue/catalog.ts) on more than one
// instance: a pipeline made, renamed or archived through one is seen by the
// queue reads of every other at the next read (they fetch the config version
// with their counts), not only when a claim meets the change or a minute later.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { rooms } from "../../server/src/shared/socket-events";
import { client } from "../helpers/http";
import { evaluateForm, queueProject, type QueueProject } from "../helpers/queue";
import { connect } from "../helpers/socket";

let t: TestApp;
let two: TestApp;
beforeAll(async () => {
  [t, two] = await Promise.all([startTestApp({ workers: true }), startTestApp({ workers: true })]);
});
afterAll(async () => {
  await Promise.all([t?.close(), two?.close()]);
});

const owner = (q: QueueProject) => client(t.url, q.owner.token);
const nodes = [{ key: "rate", kind: "task", name: "Rate", form: evaluateForm }, { key: "done", kind: "end", name: "Done" }];

describe("two instances", () => {
  it("a pipeline made, renamed or archived through one is in (or out of) the queue read through the other at once", async () => {
    const q = await queueProject(t.deps, t.url);
    const alice = q.types.Evaluators!.people[0]!;
    const queueOn = async (url: string) =>
      (await client(url, alice.token).get(`/api/projects/${q.project.id}/queue`)).body.items.map((n: { pipelineName: string }) => n.pipelineName);
    // Instance two reads (and caches) the project's definitions.
    expect(await queueOn(two.url)).toEqual(["Agent evals"]);
    const second = await owner(q).post(`/api/projects/${q.project.id}/pipelines`, { name: "Second", nodes });
    expect(second.status).toBe(201);
    expect(await queueOn(two.url)).toEqual(["Agent evals", "Second"]);
    expect((await owner(q).patch(`/api/pipelines/${second.body.id}`, { name: "Spot checks" })).status).toBe(200);
    expect(await queueOn(two.url)).toEqual(["Agent evals", "Spot checks"]);
    expect((await owner(q).post(`/api/pipelines/${second.body.id}/archive`)).status).toBe(200);
    expect(await queueOn(two.url)).toEqual(["Agent evals"]);
  });

  it("a pipeline deleted through one is out of the other's queue reads and claims at once", async () => {
    const q = await queueProject(t.deps, t.url);
    const alice = q.types.Evaluators!.people[0]!;
    const queueOn = async (url: string) =>
      (await client(url, alice.token).get(`/api/projects/${q.project.id}/queue`)).body.items.map((n: { pipelineName: string }) => n.pipelineName);
    const second = await owner(q).post(`/api/projects/${q.project.id}/pipelines`, { name: "Second", nodes });
    // Instance two reads (and caches) the definitions with the new pipeline in them.
    expect(await queueOn(two.url)).toEqual(["Agent evals", "Second"]);
    expect((await owner(q).delete(`/api/pipelines/${second.body.id}`)).status).toBe(204);
    // A claim at its node (the first read on two since): the cached node is not trusted.
    const claim = await client(two.url, alice.token).post(`/api/projects/${q.project.id}/claims`, { nodeId: second.body.nodes[0].id });
    expect([claim.status, claim.body.error.code]).toEqual([404, "not_found"]);
    expect(await queueOn(two.url)).toEqual(["Agent evals"]);
  });

  it("the live counts the other pushes cover a pipeline made through one", async () => {
    const q = await queueProject(t.deps, t.url);
    const watcher = await connect(two.url, q.owner.token);
    try {
      // The subscribe's snapshot reads (and caches) the definitions on instance two.
      expect(await watcher.subscribe(rooms.queue(q.project.id))).toEqual({ ok: true });
      const second = await owner(q).post(`/api/projects/${q.project.id}/pipelines`, { name: "Second", nodes });
      const rate = second.body.nodes[0].id as string;
      expect((await owner(q).post(`/api/pipelines/${second.body.id}/tasks`, { tasks: [{ payload: { n: 1 } }] })).status).toBe(201);
      const seen = await watcher.waitFor("queue:changed", (e) => e.nodeId === rate && e.available === 1);
      expect(seen).toEqual({ projectId: q.project.id, nodeId: rate, available: 1, claimed: 0 });
    } finally {
      watcher.close();
    }
  });
});
