// A project ready for queue work, built through the public API: contributor
// types, contributors, a pipeline (evaluate → review → end by default) and
// imported tasks. Plus small HTTP helpers for claiming and submitting.
import type { Deps } from "../../server/src/deps";
import type { Schedule } from "../../server/src/modules/contributor-types/schedule";
import { addProjectMember, createContributorType, createOrg, createProject, type TestUser } from "./factories";
import { client, type Res } from "./http";

export const evaluateForm = {
  criteria: [
    { key: "accuracy", label: "Accuracy", kind: "rating", required: true, min: 1, max: 5 },
    { key: "helpful", label: "Helpful?", kind: "boolean", required: true },
    { key: "tone", label: "Tone", kind: "choice", options: ["formal", "casual"] },
    { key: "notes", label: "Notes", kind: "text" },
  ],
};
export const goodAnswers = { accuracy: 4, helpful: true };

export interface LaneSpec {
  name: string;
  claimLimit?: number;
  poolLimit?: number | null;
  schedule?: Schedule | null;
  people?: number;
}

export async function queueProject(deps: Deps, url: string, opts: { lanes?: LaneSpec[]; nodes?: unknown[]; leaseSeconds?: number } = {}) {
  const { org, admin } = await createOrg(deps);
  const project = await createProject(deps, org.id);
  const owner = await addProjectMember(deps, project, "owner");
  const lanes = opts.lanes ?? [
    { name: "Evaluators", claimLimit: 3, people: 3 },
    { name: "Reviewers", claimLimit: 3, people: 2 },
  ];
  const types: Record<string, { id: string; people: TestUser[] }> = {};
  for (const l of lanes) {
    const t = await createContributorType(deps, project.id, { name: l.name, claimLimit: l.claimLimit ?? 3, poolLimit: l.poolLimit ?? null, schedule: l.schedule ?? null });
    const people: TestUser[] = [];
    // In batches: the race test's 200 people would otherwise take a while to create.
    for (let i = 0; i < (l.people ?? 1); i += 10) {
      const batch = Array.from({ length: Math.min(10, (l.people ?? 1) - i) }, (_, j) => addProjectMember(deps, project, "contributor", t.id, `${l.name}-${i + j}`));
      people.push(...(await Promise.all(batch)));
    }
    types[l.name] = { id: t.id, people };
  }
  const nodes = opts.nodes ?? [
    { key: "evaluate", kind: "task", name: "Evaluate", contributorTypeId: types.Evaluators?.id, leaseSeconds: opts.leaseSeconds, form: evaluateForm },
    { key: "review", kind: "review", name: "Review", contributorTypeId: types.Reviewers?.id, leaseSeconds: opts.leaseSeconds, reviews: "evaluate" },
    { key: "done", kind: "end", name: "Done" },
  ];
  const res = await client(url, owner.token).post(`/api/projects/${project.id}/pipelines`, { name: "Agent evals", nodes });
  if (res.status !== 201) throw new Error(`pipeline: ${res.status} ${res.text}`);
  const pipeline = res.body as { id: string; nodes: Array<{ id: string; key: string }> };
  const node = (key: string) => pipeline.nodes.find((n) => n.key === key)!.id;
  return { org, admin, project, owner, types, pipeline, node, url };
}

export type QueueProject = Awaited<ReturnType<typeof queueProject>>;

export async function importTasks(q: QueueProject, tasks: unknown[]): Promise<string[]> {
  const res = await client(q.url, q.owner.token).post(`/api/pipelines/${q.pipeline.id}/tasks`, { tasks });
  if (res.status !== 201) throw new Error(`import: ${res.status} ${res.text}`);
  return res.body.taskIds;
}

export interface Held {
  id: string;
  taskId: string;
  nodeId: string;
  token: string;
  expiresAt: string;
}

export async function claimAt(q: QueueProject, who: TestUser, nodeKey: string, taskId?: string): Promise<Res> {
  return client(q.url, who.token).post(`/api/projects/${q.project.id}/claims`, { nodeId: q.node(nodeKey), ...(taskId ? { taskId } : {}) });
}

/** Claims and expects success. */
export async function mustClaim(q: QueueProject, who: TestUser, nodeKey: string, taskId?: string): Promise<Held> {
  const r = await claimAt(q, who, nodeKey, taskId);
  if (r.status !== 201) throw new Error(`claim: ${r.status} ${r.text}`);
  return r.body.claim;
}

export function submitAs(q: QueueProject, who: TestUser, c: Held, body: Record<string, unknown>): Promise<Res> {
  return client(q.url, who.token).post(`/api/claims/${c.id}/submit`, { token: c.token, ...body });
}

export async function queueOf(q: QueueProject, who: TestUser) {
  const r = await client(q.url, who.token).get(`/api/projects/${q.project.id}/queue`);
  if (r.status !== 200) throw new Error(`queue: ${r.status} ${r.text}`);
  return r.body.items as Array<{ nodeId: string; key: string; name: string; pipelineName: string; available: number; canClaim: boolean; reason?: string; opensAt?: string; closesAt?: string; myClaims: Held[] }>;
}
