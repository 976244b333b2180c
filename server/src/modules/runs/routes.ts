import { z } from "zod";
import { authorize } from "../../access/authorize";
import { notFound } from "../../http/errors";
import { afterCursor, keysetOrder, keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import { loadProject } from "../load";
import { PRIORITY_MAX, PRIORITY_MIN } from "../../queue/placement";
import { ingestRun } from "./service";
import { NO_FACTS, runFacts, SUMMARY_SELECT, taskStates } from "./summaries";
import { runSchema, runSummarySchema, runSummaryView, runView } from "./view";

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
    summary:
      "List the project's agent runs, newest first, with the state of the task each created: summaries (sizes and the start of the input and output); the whole run at GET /api/runs/{runId}, every run whole in the export",
    params: z.strictObject({ projectId: id }),
    query: listQuery.extend({ agentId: id.optional(), pipelineId: id.optional(), externalId: externalId.optional() }),
    response: page(runSummarySchema),
    async handler({ actor, params, query, deps }) {
      await loadProject(deps, actor, params.projectId, "project.inspect");
      const rows = await deps.db.run.findMany({
        select: SUMMARY_SELECT,
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
      const [facts, tasks] = await Promise.all([runFacts(deps.db, p.items.map((r) => r.id)), taskStates(deps.db, p.items.map((r) => r.taskId))]);
      return {
        items: p.items.map((r) => runSummaryView(r, facts.get(r.id) ?? NO_FACTS, tasks.get(r.taskId) ?? null)),
        nextCursor: p.nextCursor,
      };
    },
  });

  api.add({
    method: "get",
    path: "/api/runs/:runId",
    tag,
    summary: "Read one agent run whole: its input, output and trace, with the state of its task",
    params: z.strictObject({ runId: id }),
    response: runSchema,
    async handler({ actor, params, deps }) {
      // Authorized before the payloads are read: a refused caller costs no megabytes.
      const head = await deps.db.run.findUnique({ where: { id: params.runId }, select: { agent: { select: { project: { select: { id: true, orgId: true } } } } } });
      if (!head) throw notFound("run");
      authorize(actor, "project.inspect", head.agent.project, "run");
      const run = await deps.db.run.findUnique({ where: { id: params.runId } });
      if (!run) throw notFound("run");
      const [facts, tasks] = await Promise.all([runFacts(deps.db, [run.id]), taskStates(deps.db, [run.taskId])]);
      return runView(run, facts.get(run.id) ?? NO_FACTS, tasks.get(run.taskId) ?? null);
    },
  });

  api.add({
    method: "post",
    path: "/api/agents/:agentId/runs",
    tag,
    summary:
      "Ingest an agent run: creates its task at the first node of the chosen pipeline of the agent's project (a paused or archived agent answers 409 agent_not_active; an archived pipeline 409 pipeline_archived, with details.currentPipelineId when a newer version replaced it); idempotent by externalId; answers the run's summary",
    description:
      "The body (input, output and trace together) may be up to RUN_BODY_LIMIT_MB, 8 MB unless the server is configured otherwise; a larger one answers 413 payload_too_large with details.limitBytes.",
    params: z.strictObject({ agentId: id }),
    body: runBody,
    status: 201,
    response: runSummarySchema,
    async handler({ actor, params, body, deps, res }) {
      const agent = await deps.db.agent.findUnique({ where: { id: params.agentId }, include: { project: true } });
      if (!agent) throw notFound("agent");
      authorize(actor, "project.ingest", agent.project, "agent");
      const { run, replayed } = await ingestRun(deps, actor, agent.project, agent, body);
      if (replayed) {
        res.locals.status = 200;
        res.set("Idempotent-Replayed", "true");
      }
      // The summary: the agent has what it sent (the whole run: GET /api/runs/{runId}).
      const [facts, tasks] = await Promise.all([runFacts(deps.db, [run.id]), taskStates(deps.db, [run.taskId])]);
      return runSummaryView(run, facts.get(run.id) ?? NO_FACTS, tasks.get(run.taskId) ?? null);
    },
  });
}
