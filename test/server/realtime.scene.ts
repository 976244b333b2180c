// A project with an evaluate → review → end pipeline, built through the public
// API, for the realtime tests: evaluators claim and submit, reviewers review.
import type { Deps } from "../../server/src/deps";
import { addProjectMember, createContributorType, createWorld } from "../helpers/factories";
import { client } from "../helpers/http";

export async function queueScene(deps: Deps, url: string, tasks = 3) {
  const w = await createWorld(deps);
  const evaluators = await createContributorType(deps, w.project.id, { name: "Evaluators", claimLimit: 5 });
  const reviewers = await createContributorType(deps, w.project.id, { name: "Reviewers", claimLimit: 5 });
  const alice = await addProjectMember(deps, w.project, "contributor", evaluators.id, "alice");
  const bob = await addProjectMember(deps, w.project, "contributor", evaluators.id, "bob");
  const rita = await addProjectMember(deps, w.project, "contributor", reviewers.id, "rita");
  const owner = client(url, w.owner.token);
  const created = await owner.post(`/api/projects/${w.project.id}/pipelines`, {
    name: "Agent evals",
    nodes: [
      {
        key: "evaluate",
        kind: "task",
        name: "Evaluate",
        contributorTypeId: evaluators.id,
        form: { criteria: [{ key: "score", label: "Score", kind: "rating", required: true }] },
      },
      { key: "review", kind: "review", name: "Review", contributorTypeId: reviewers.id, reviews: "evaluate" },
      { key: "done", kind: "end", name: "Done" },
    ],
  });
  if (created.status !== 201) throw new Error(`pipeline: ${created.status} ${created.text}`);
  const pipeline = created.body as { id: string; nodes: Array<{ id: string; key: string }> };
  const node = (key: string) => pipeline.nodes.find((n) => n.key === key)!.id;
  const scene = { ...w, evaluators, reviewers, alice, bob, rita, pipeline, evaluate: node("evaluate"), review: node("review") };
  if (tasks > 0) await importTasks(url, scene, tasks);
  return scene;
}

export type Scene = Awaited<ReturnType<typeof queueScene>>;

export async function importTasks(url: string, s: { owner: { token: string }; pipeline: { id: string } }, n: number) {
  const res = await client(url, s.owner.token).post(`/api/pipelines/${s.pipeline.id}/tasks`, {
    tasks: Array.from({ length: n }, (_, i) => ({ payload: { run: i } })),
  });
  if (res.status !== 201) throw new Error(`import: ${res.status} ${res.text}`);
}

export interface Claimed {
  id: string;
  taskId: string;
  nodeId: string;
  token: string;
}

export async function claim(url: string, token: string, projectId: string, nodeId: string): Promise<Claimed> {
  const res = await client(url, token).post(`/api/projects/${projectId}/claims`, { nodeId });
  if (res.status !== 201) throw new Error(`claim: ${res.status} ${res.text}`);
  return res.body.claim as Claimed;
}

export async function submit(url: string, token: string, c: Claimed, body: Record<string, unknown>) {
  const res = await client(url, token).post(`/api/claims/${c.id}/submit`, { token: c.token, ...body });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${res.text}`);
  return res.body;
}

export async function release(url: string, token: string, c: Claimed) {
  const res = await client(url, token).delete(`/api/claims/${c.id}`, { token: c.token });
  if (res.status !== 204) throw new Error(`release: ${res.status} ${res.text}`);
}
