// A pipeline archived, or replaced by a new version, while tasks are being
// added to it (an import, an agent run). The pipeline row's own locks would not
// serialise them (the archive's UPDATE takes FOR NO KEY UPDATE, which the FOR
// KEY SHARE of a task insert's foreign key does not wait for), so both meet on
// the project's writers lock (projects/lock.ts). Each interleaving is forced by
// a lock the test holds in its own transaction (test/helpers/locks.ts):
// whichever commits second must see the first. A writer under way commits
// first (its task stays in the old pipeline and is worked there); one that
// comes after answers 409 pipeline_archived and writes nothing.
import { describe, expect, it } from "vitest";
import { client, type Res } from "../helpers/http";
import { holdRow, settled, type Held } from "../helpers/locks";
import { evaluateForm, mustClaim, queueProject, type QueueProject } from "../helpers/queue";
import { raceApp } from "../helpers/races";

const t = raceApp();
const { until } = t;

const code = (r: Res) => [r.status, r.body?.error?.code];

// The holds: a writer stops on a row that neither an archive nor a new version
// touches, the project's shared lock taken (an import at the contributor type it
// assigns to, a run at its agent); an archive or new version stops at its audit
// entry (the org key), the pipeline already changed.
const holdType = (q: QueueProject) => holdRow("ContributorType", q.types.Evaluators!.id);
const holdAgent = (agentId: string) => holdRow("Agent", agentId);
const holdOrg = (q: QueueProject) => holdRow("Organization", q.org.id);

const owner = (q: QueueProject) => client(t.url, q.owner.token);
const importOne = (q: QueueProject) =>
  owner(q).post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks: [{ payload: { q: 1 }, assignTo: { contributorTypeId: q.types.Evaluators!.id } }] });
const archive = (q: QueueProject) => owner(q).post(`/api/pipelines/${q.pipeline.id}/archive`);
const nodes = [
  { key: "evaluate", kind: "task", name: "Evaluate", form: evaluateForm },
  { key: "done", kind: "end", name: "Done" },
];
const newVersion = (q: QueueProject) => owner(q).post(`/api/pipelines/${q.pipeline.id}/versions`, { name: "Agent evals", nodes });

async function withAgent(q: QueueProject) {
  const r = await owner(q).post(`/api/projects/${q.project.id}/agents`, { name: "Bot" });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
const ingest = (q: QueueProject, agentId: string) =>
  owner(q).post(`/api/agents/${agentId}/runs`, { input: { prompt: "2+2?" }, output: { answer: "4" }, pipelineId: q.pipeline.id });
const written = async (q: QueueProject) => [
  await t.deps.db.task.count({ where: { projectId: q.project.id } }),
  await t.deps.db.run.count({ where: { projectId: q.project.id } }),
];

type Writer = (q: QueueProject) => Promise<{ write: () => Promise<Res>; holdIt: () => Promise<Held> }>;
const writers: Array<[string, Writer]> = [
  ["an import", async (q) => ({ write: () => importOne(q), holdIt: () => holdType(q) })],
  [
    "an agent run",
    async (q) => {
      const agentId = await withAgent(q);
      return { write: () => ingest(q, agentId), holdIt: () => holdAgent(agentId) };
    },
  ],
];
const changes: Array<[string, (q: QueueProject) => Promise<Res>, number]> = [
  ["an archive", archive, 200],
  ["a new version", newVersion, 201],
];

for (const [writerName, makeWriter] of writers) {
  for (const [changeName, change, ok] of changes) {
    describe(`${writerName} and ${changeName} of its pipeline`, () => {
      it(`${writerName} under way: ${changeName} waits for it; its task stays in the old pipeline and is worked there`, async () => {
        const q = await queueProject(t.deps, t.url);
        const { write, holdIt } = await makeWriter(q);
        const lock = await holdIt();
        let w: Promise<Res>, c: Promise<Res>;
        try {
          w = write();
          await until(lock.pid, 1);
          c = change(q);
          await until(lock.pid, 2, c);
          expect(await settled(c), `${changeName} answered while a writer it must see was still open`).toBe(false);
        } finally {
          await lock.release();
        }
        const [wr, cr] = await Promise.all([w!, c!]);
        expect([wr.status, cr.status], `${wr.text} ${cr.text}`).toEqual([201, ok]);
        const task = await t.deps.db.task.findFirstOrThrow({ where: { projectId: q.project.id } });
        expect(task.pipelineId).toBe(q.pipeline.id);
        expect((await mustClaim(q, q.types.Evaluators!.people[0]!, "evaluate")).taskId).toBe(task.id);
        expect(code(await write())).toEqual([409, "pipeline_archived"]);
      });

      it(`${changeName} first: ${writerName} that came meanwhile waits for it, then answers 409 and writes nothing`, async () => {
        const q = await queueProject(t.deps, t.url);
        const { write } = await makeWriter(q);
        const lock = await holdOrg(q);
        let c: Promise<Res>, w: Promise<Res>;
        try {
          c = change(q);
          await until(lock.pid, 1);
          w = write();
          await until(lock.pid, 2, w);
          expect(await settled(w), `${writerName} answered before ${changeName} it queued behind`).toBe(false);
        } finally {
          await lock.release();
        }
        const [cr, wr] = await Promise.all([c!, w!]);
        expect([cr.status, ...code(wr)], wr.text).toEqual([ok, 409, "pipeline_archived"]);
        expect(wr.body.error.details).toEqual(cr.status === 201 ? { currentPipelineId: cr.body.id } : undefined);
        expect(await written(q)).toEqual([0, 0]);
      });
    });
  }
}
