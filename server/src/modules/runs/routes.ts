import { z } from "zod";
import { authorize } from "../../access/authorize";
import { notFound } from "../../http/errors";
import { afterCursor, keysetOrder, keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import { loadProject } from "../load";
import { PRIORITY_MAX, PRIORITY_MIN } from "../../queue/placement";
import { ingestRun } from "./service";
import { runSchema, runView } from "./view";

const tag = "agents and runs";
// Any JSON value (z.json() is recursive, which the OpenAPI document cannot reference inline).
const json = z.unknown().refine((v) => v !== undefined, { message: "Required" });
const externalId = z.string().min(1).max(200);
const runBody = z.strictObject({
  input: json,
  output: json,
  trace: z.unknown().optional(),
  pipelineId: id,
  priority: z.number().int().min(PRIORITY_MIN).max(PRIORITY_MAX).optional(),
  externalId: externalId.optional().describe(
    "The agent's own id for this run. Sent again with the same content, the run already made is answered (200, header Idempotent-Replayed: true) and nothing is created; with other content, 409 run_exists.",
  ),
});

export function registerRunRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/runs",
    tag,
    summary: "List the project's agent runs, newest first, with the state of the task each created",
    params: z.strictObject({ projectId: id }),
    query: listQuery.extend({ agentId: id.optional(), pipelineId: id.optional(), externalId: externalId.optional() }),
    response: page(runSchema),
    async handler({ actor, params, query, deps }) {
      await loadProject(deps, actor, params.projectId, "project.inspect");
      const rows = await deps.db.run.findMany({
        where: {
          projectId: params.projectId,
          ...(query.agentId ? { agentId: query.agentId } : {}),
          ...(query.pipelineId ? { pipelineId: query.pipelineId } : {}),
          ...(query.externalId ? { externalId: query.externalId } : {}),
          ...afterCursor("createdAt", "desc", query.cursor),
        },
        orderBy: keysetOrder("createdAt", "desc"),
        take: query.limit + 1,
      });
      const p = keysetPage(rows, query.limit, "createdAt");
      const tasks = await deps.db.task.findMany({
        where: { id: { in: p.items.map((r) => r.taskId) } },
        select: { id: true, status: true, nodeId: true, completedAt: true },
      });
      const byId = new Map(tasks.map((t) => [t.id, t]));
      return { items: p.items.map((r) => runView(r, byId.get(r.taskId) ?? null)), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "post",
    path: "/api/agents/:agentId/runs",
    tag,
    summary:
      "Ingest an agent run: creates its task at the first node of the chosen pipeline of the agent's project (a paused or archived agent answers 409 agent_not_active; an archived pipeline 409 pipeline_archived, with details.currentPipelineId when a newer version replaced it); idempotent by externalId",
    params: z.strictObject({ agentId: id }),
    body: runBody,
    status: 201,
    response: runSchema,
    async handler({ actor, params, body, deps, res }) {
      const agent = await deps.db.agent.findUnique({ where: { id: params.agentId }, include: { project: true } });
      if (!agent) throw notFound("agent");
      authorize(actor, "project.write", agent.project, "agent");
      const { run, replayed } = await ingestRun(deps, actor, agent.project, agent, body);
      if (replayed) {
        res.locals.status = 200;
        res.set("Idempotent-Replayed", "true");
      }
      const task = await deps.db.task.findUnique({ where: { id: run.taskId }, select: { status: true, nodeId: true, completedAt: true } });
      return runView(run, task);
    },
  });
}
