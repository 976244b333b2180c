// An agent run comes in: in one transaction the task is created at the first
// node of the chosen pipeline (through the task engine's insertTasks) and the
// Run row points at it; after commit Redis places the task and the event goes out.
// Only an active agent's runs in an active project are taken; the agent row is
// read FOR SHARE so a pause that commits first is always seen, and the project
// and the pipeline after the project's shared lock (projects/lock.ts), so an
// archive or delete of either (or a new version of the pipeline) is too. A
// run sent with the agent's own id (`externalId`) is taken once: a retry of the
// same run answers the run already made, so an agent may resend whatever it is
// unsure was received.
import { Prisma, type Agent, type Run } from "@prisma/client";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, notFound } from "../../http/errors";
import { newId } from "../../queue/ids";
import { recordAudit } from "../audit/record";
import { pipelineMustTakeTasks } from "../pipelines/open";
import { projectMustBeActive, shareLock } from "../projects/lock";
import { enqueueTasks, insertTasks, type NewTask } from "../tasks/service";

export interface RunInput {
  input: unknown;
  output: unknown;
  trace?: unknown;
  pipelineId: string;
  priority?: number;
  externalId?: string;
}

/** What ingestRun did: `replayed` when the run already existed (same externalId, same content). */
export interface Ingested {
  run: Run;
  replayed: boolean;
}

/** A JSON null must be spelled out for Prisma. */
const asJson = (v: unknown) => (v === null ? Prisma.JsonNull : (v as Prisma.InputJsonValue));

type Project = { id: string; orgId: string; status: string };

function mustBeActive(status: string) {
  if (status !== "active")
    throw conflict("agent_not_active", `This agent is ${status}: it takes no new runs until it is activated again.`, { status });
}

export async function ingestRun(deps: Deps, actor: Actor, project: Project, agent: Agent, body: RunInput): Promise<Ingested> {
  const earlier = await sameRun(deps, agent.id, body);
  if (earlier) return { run: earlier, replayed: true };
  mustBeActive(agent.status);
  projectMustBeActive(project.status);
  const pipeline = await deps.db.pipeline.findFirst({
    where: { id: body.pipelineId, projectId: project.id },
    include: { nodes: { orderBy: { position: "asc" }, take: 1 } },
  });
  if (!pipeline || !pipeline.nodes[0]) throw notFound("pipeline");
  await pipelineMustTakeTasks(deps.db, pipeline.id, pipeline.status);
  const first = pipeline.nodes[0];

  const runId = newId();
  const task: NewTask = {
    id: newId(),
    priority: body.priority ?? 0,
    // What the agent saw and did: what the evaluators are shown.
    payload: { input: body.input, output: body.output, ...(body.trace !== undefined ? { trace: body.trace } : {}) },
    assignedUserId: null,
    assignedTypeId: null,
    reworkUserId: null,
    runId,
    createdAt: deps.clock.now(),
  };
  const run = await deps.db
    .$transaction(async (tx) => {
      // The project's lock first (an archive or delete under way commits before this reads), then the agent's row.
      await shareLock(tx, [project.id]);
      const [row] = await tx.$queryRaw<Array<{ status: string; projectStatus: string; pipelineStatus: string | null }>>`
        SELECT a."status", p."status" AS "projectStatus", (SELECT "status" FROM "Pipeline" WHERE "id" = ${pipeline.id}) AS "pipelineStatus"
        FROM "Agent" a JOIN "Project" p ON p."id" = a."projectId"
        WHERE a."id" = ${agent.id} FOR SHARE OF a`;
      if (!row) throw notFound("agent");
      mustBeActive(row.status);
      projectMustBeActive(row.projectStatus);
      await pipelineMustTakeTasks(tx, pipeline.id, row.pipelineStatus);
      await insertTasks(tx, { projectId: project.id, pipelineId: pipeline.id, nodeId: first.id, tasks: [task], event: "created" });
      const run = await tx.run.create({
        data: {
          id: runId,
          projectId: project.id,
          agentId: agent.id,
          pipelineId: pipeline.id,
          taskId: task.id,
          input: asJson(body.input),
          output: asJson(body.output),
          ...(body.trace !== undefined ? { trace: asJson(body.trace) } : {}),
          externalId: body.externalId ?? null,
          createdAt: task.createdAt,
        },
      });
      await recordAudit(tx, actor, {
        orgId: project.orgId,
        action: "run.create",
        resourceType: "run",
        resourceId: run.id,
        after: { agentId: agent.id, pipelineId: pipeline.id, taskId: task.id },
      });
      return run;
    })
    .catch(async (err) => {
      // The same run sent twice at once: the second insert lost the race on
      // (agentId, externalId), and its transaction wrote nothing.
      const winner = (err as { code?: string }).code === "P2002" ? await sameRun(deps, agent.id, body) : null;
      if (!winner) throw err;
      return winner;
    });
  if (run.id !== runId) return { run, replayed: true };
  await enqueueTasks(deps, { orgId: project.orgId, projectId: project.id, pipelineId: pipeline.id, nodeId: first.id }, [task]);
  return { run, replayed: false };
}

/**
 * The run this agent already sent under `body.externalId`, if any. Sent again
 * with other content it is a different run under a reused id: 409, not a replay.
 * The content is compared as PostgreSQL's jsonb compares it (key order and
 * number spelling do not count).
 */
async function sameRun(deps: Deps, agentId: string, body: RunInput): Promise<Run | null> {
  if (body.externalId === undefined) return null;
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  const [row] = await deps.db.$queryRaw<Array<{ id: string; same: boolean }>>`
    SELECT "id", ("pipelineId" = ${body.pipelineId} AND "input" = ${json(body.input)}::jsonb AND "output" = ${json(body.output)}::jsonb
                  AND "trace" IS NOT DISTINCT FROM ${json(body.trace)}::jsonb) AS "same"
    FROM "Run" WHERE "agentId" = ${agentId} AND "externalId" = ${body.externalId}`;
  if (!row) return null;
  if (!row.same)
    throw conflict("run_exists", "This agent already sent a different run with this externalId.", { runId: row.id, externalId: body.externalId });
  return deps.db.run.findUniqueOrThrow({ where: { id: row.id } });
}
