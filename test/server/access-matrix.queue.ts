// Access-matrix rows for pipelines, tasks and the work queue (see
// access-matrix.table.ts for the rules). The world gets a pipeline with queued
// tasks and one live claim held by its contributor.
import { loadActor } from "../../server/src/access/actor";
import type { Deps } from "../../server/src/deps";
import { pipelineInputSchema } from "../../server/src/modules/pipelines/schema";
import { insertPipeline } from "../../server/src/modules/pipelines/service";
import { enqueueTasks, insertTasks, type NewTask } from "../../server/src/modules/tasks/service";
import { claimTask } from "../../server/src/queue/engine";
import { newId } from "../../server/src/queue/ids";
import type { Role, Row, World } from "./access-matrix.table";

const writers: Role[] = ["admin", "owner"];
const readers: Role[] = ["admin", "owner", "viewer"];
const contributor: Role[] = ["contributor"];

export const matrixPipeline = () =>
  pipelineInputSchema.parse({
    name: "Matrix",
    nodes: [
      { key: "rate", kind: "task", name: "Rate", form: { criteria: [{ key: "ok", label: "OK?", kind: "boolean", required: true }] } },
      { key: "check", kind: "review", name: "Check", reviews: "rate" },
      { key: "done", kind: "end", name: "Done" },
    ],
  });

export async function queueExtra(deps: Deps, w: Omit<World, "extra">): Promise<Record<string, string>> {
  const p = await insertPipeline(deps.db, w.project.id, matrixPipeline());
  const node = p.nodes[0]!;
  const now = deps.clock.now();
  const tasks: NewTask[] = [1, 2, 3].map((i) => ({
    id: newId(), priority: 0, payload: { i }, assignedUserId: null, assignedTypeId: null, reworkUserId: null, runId: null, createdAt: now,
  }));
  await insertTasks(deps.db, { projectId: w.project.id, pipelineId: p.id, nodeId: node.id, tasks, event: "imported" });
  await enqueueTasks(deps, { orgId: w.org.id, projectId: w.project.id, pipelineId: p.id, nodeId: node.id }, tasks);
  const actor = (await loadActor(deps.db, w.contributor.id))!;
  const c = await claimTask(deps, actor, w.project.id, { nodeId: node.id });
  // One that never held a task: the only kind a delete removes.
  const unused = await insertPipeline(deps.db, w.project.id, { ...matrixPipeline(), name: "Unused" });
  return { pipelineId: p.id, unusedPipelineId: unused.id, taskNodeId: node.id, taskId: tasks[0]!.id, claimId: c.claim.id, claimToken: c.claim.token };
}

const claim = (w: World) => ({ claimId: w.extra.claimId! });

export const queueRows: Row[] = [
  // pipelines and tasks
  { method: "get", path: "/api/projects/:projectId/pipelines", allow: readers, ok: 200 },
  { method: "post", path: "/api/projects/:projectId/pipelines", allow: writers, ok: 201, body: () => matrixPipeline() },
  { method: "get", path: "/api/pipelines/:pipelineId", allow: readers, ok: 200, params: (w) => ({ pipelineId: w.extra.pipelineId! }) },
  { method: "patch", path: "/api/pipelines/:pipelineId", allow: writers, ok: 200, params: (w) => ({ pipelineId: w.extra.pipelineId! }), body: () => ({ description: "changed" }) },
  { method: "delete", path: "/api/pipelines/:pipelineId", allow: writers, ok: 204, fresh: true, params: (w) => ({ pipelineId: w.extra.unusedPipelineId! }) },
  { method: "post", path: "/api/pipelines/:pipelineId/archive", allow: writers, ok: 200, params: (w) => ({ pipelineId: w.extra.pipelineId! }) },
  { method: "post", path: "/api/pipelines/:pipelineId/restore", allow: writers, ok: 200, params: (w) => ({ pipelineId: w.extra.pipelineId! }) },
  {
    method: "post",
    path: "/api/pipelines/:pipelineId/versions",
    allow: writers,
    ok: 201,
    fresh: true, // the version it replaces cannot be changed again
    params: (w) => ({ pipelineId: w.extra.pipelineId! }),
    body: () => matrixPipeline(),
  },
  {
    method: "post",
    path: "/api/pipelines/:pipelineId/tasks",
    allow: writers,
    ok: 201,
    params: (w) => ({ pipelineId: w.extra.pipelineId! }),
    body: () => ({ tasks: [{ payload: { input: "hi" } }] }),
  },
  { method: "get", path: "/api/projects/:projectId/tasks", allow: readers, ok: 200 },
  { method: "get", path: "/api/tasks/:taskId", allow: readers, ok: 200, params: (w) => ({ taskId: w.extra.taskId! }) },
  { method: "patch", path: "/api/tasks/:taskId", allow: writers, ok: 200, params: (w) => ({ taskId: w.extra.taskId! }), body: () => ({ priority: 5 }) },
  // the work queue: a Contributor assignment; claims are their holder's
  { method: "get", path: "/api/projects/:projectId/queue", allow: contributor, ok: 200 },
  { method: "get", path: "/api/projects/:projectId/queue/:nodeId/tasks", allow: contributor, ok: 200, params: (w) => ({ nodeId: w.extra.taskNodeId! }) },
  { method: "post", path: "/api/projects/:projectId/claims", allow: contributor, ok: 201, body: (w) => ({ nodeId: w.extra.taskNodeId! }) },
  { method: "get", path: "/api/claims/:claimId", allow: contributor, ok: 200, params: claim },
  { method: "post", path: "/api/claims/:claimId/heartbeat", allow: contributor, ok: 200, params: claim, body: (w) => ({ token: w.extra.claimToken! }) },
  { method: "delete", path: "/api/claims/:claimId", allow: contributor, ok: 204, fresh: true, params: claim, body: (w) => ({ token: w.extra.claimToken! }) },
  {
    method: "post",
    path: "/api/claims/:claimId/submit",
    allow: contributor,
    ok: 201,
    fresh: true,
    params: claim,
    body: (w) => ({ token: w.extra.claimToken!, answers: { ok: true } }),
  },
  { method: "get", path: "/api/projects/:projectId/claims", allow: readers, ok: 200 },
  { method: "post", path: "/api/claims/:claimId/revoke", allow: writers, ok: 204, fresh: true, params: claim },
  { method: "get", path: "/api/me/submissions", allow: "users", ok: 200 },
];
