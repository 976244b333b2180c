// A pipeline deleted while tasks are being added to it (an import, an agent
// run) or while a new version of it is saved. All meet on the project's writers
// lock (projects/lock.ts), which the delete takes exclusively: whichever commits
// second sees the first. A writer under way commits first and the delete
// refuses (409 pipeline_in_use, nothing deleted: its task keeps its pipeline);
// one that comes after finds no pipeline (404) and writes nothing. Never a 500,
// never a task without its pipeline. Each interleaving is forced by a lock the
// test holds in its own transaction (test/helpers/locks.ts).
import { describe, expect, it } from "vitest";
import { client, type Res } from "../helpers/http";
import { holdRow, settled, type Held } from "../helpers/locks";
import { evaluateForm, mustClaim, queueProject, type QueueProject } from "../helpers/queue";
import { raceApp } from "../helpers/races";

const t = raceApp();
const { until } = t;

const code = (r: Res) => [r.status, r.body?.error?.code];
const owner = (q: QueueProject) => client(t.url, q.owner.token);

// The holds: a writer stops on a row the delete does not touch, the project's
// shared lock taken (an import at the contributor type it assigns to, a run at
// its agent, a new version at its audit entry: the org key); the delete stops at
// its audit entry, the pipeline already deleted in its transaction.
const holdType = (q: QueueProject) => holdRow("ContributorType", q.types.Evaluators!.id);
const holdAgent = (agentId: string) => holdRow("Agent", agentId);
const holdOrg = (q: QueueProject) => holdRow("Organization", q.org.id);

const remove = (q: QueueProject) => owner(q).delete(`/api/pipelines/${q.pipeline.id}`);
const nodes = [
  { key: "evaluate", kind: "task", name: "Evaluate", form: evaluateForm },
  { key: "done", kind: "end", name: "Done" },
];
const pipelineLeft = (q: QueueProject) => t.deps.db.pipeline.count({ where: { id: q.pipeline.id } });
/** Every task of the project with whether its pipeline exists. */
const tasks = async (q: QueueProject) =>
  (await t.deps.db.task.findMany({ where: { projectId: q.project.id }, include: { pipeline: { select: { id: true } } } })).map((x) => x.pipeline?.id ?? null);

type Writer = (q: QueueProject) => Promise<{ write: () => Promise<Res>; holdIt: () => Promise<Held>; ok: number; adds: number }>;
const writers: Array<[string, Writer]> = [
  [
    "an import",
    async (q) => ({
      write: () => owner(q).post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { q: 1 }, assignTo: { contributorTypeId: q.types.Evaluators!.id } }] }),
      holdIt: () => holdType(q),
      ok: 201,
      adds: 1,
    }),
  ],
  [
    "an agent run",
    async (q) => {
      const agent = await owner(q).post(`/api/projects/${q.project.id}/agents`, { name: "Bot" });
      expect(agent.status).toBe(201);
      return {
        write: () => owner(q).post(`/api/agents/${agent.body.id}/runs`, { input: { prompt: "2+2?" }, output: { answer: "4" }, pipelineId: q.pipeline.id }),
        holdIt: () => holdAgent(agent.body.id),
        ok: 201,
        adds: 1,
      };
    },
  ],
  [
    "a new version",
    async (q) => ({ write: () => owner(q).post(`/api/pipelines/${q.pipeline.id}/versions`, { name: "Agent evals", nodes }), holdIt: () => holdOrg(q), ok: 201, adds: 0 }),
  ],
];

for (const [name, makeWriter] of writers) {
  describe(`${name} and a delete of its pipeline`, () => {
    it(`${name} under way: the delete waits for it, then refuses (409 pipeline_in_use); nothing is deleted`, async () => {
      const q = await queueProject(t.deps, t.url);
      const { write, holdIt, ok, adds } = await makeWriter(q);
      const lock = await holdIt();
      let w: Promise<Res>, d: Promise<Res>;
      try {
        w = write();
        await until(lock.pid, 1);
        d = remove(q);
        await until(lock.pid, 2, d);
        expect(await settled(d), "the delete answered while a writer it must see was still open").toBe(false);
      } finally {
        await lock.release();
      }
      const [wr, dr] = await Promise.all([w!, d!]);
      expect([wr.status, ...code(dr)], `${wr.text} ${dr.text}`).toEqual([ok, 409, "pipeline_in_use"]);
      expect(await pipelineLeft(q)).toBe(1);
      expect(await tasks(q)).toEqual(Array(adds).fill(q.pipeline.id));
      if (adds) expect((await mustClaim(q, q.types.Evaluators!.people[0]!, "evaluate")).nodeId).toBe(q.node("evaluate"));
    });

    it(`the delete first: ${name} that came meanwhile waits for it, then answers 404 and writes nothing`, async () => {
      const q = await queueProject(t.deps, t.url);
      const { write } = await makeWriter(q);
      const lock = await holdOrg(q);
      let d: Promise<Res>, w: Promise<Res>;
      try {
        d = remove(q);
        await until(lock.pid, 1);
        w = write();
        await until(lock.pid, 2, w);
        expect(await settled(w), `${name} answered before the delete it queued behind`).toBe(false);
      } finally {
        await lock.release();
      }
      const [dr, wr] = await Promise.all([d!, w!]);
      expect([dr.status, ...code(wr)], `${dr.text} ${wr.text}`).toEqual([204, 404, "not_found"]);
      expect(await pipelineLeft(q)).toBe(0);
      expect(await tasks(q)).toEqual([]);
      expect(await t.deps.db.run.count({ where: { projectId: q.project.id } })).toBe(0);
      expect(await t.deps.db.pipeline.count({ where: { projectId: q.project.id } })).toBe(0);
    });
  });
}
