// An agent run comes in: in one transaction the task is created at the first
// node of the chosen pipeline (through the task engine's insertTasks) and the
// Run row points at it; after commit Redis places the task and the event goes out.
// Only an active agent's runs are taken; the agent row is read FOR SHARE so a
// pause that commits first is always seen.
import { Prisma, type Agent, type Run } from "@prisma/client";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, notFound } from "../../http/errors";
import { newId } from "../../queue/ids";
import { recordAudit } from "../audit/record";
import { enqueueTasks, insertTasks, type NewTask } from "../tasks/service";

export interface RunInput {
  input: unknown;
  output: unknown;
  trace?: unknown;
  pipelineId: string;
  priority?: number;
}

/** A JSON null must be spelled out for Prisma. */
const asJson = (v: unknown) => (v === null ? Prisma.JsonNull : (v as Prisma.InputJsonValue));

type Project = { id: string; orgId: string; status: string };

function mustBeActive(status: string) {
  if (status !== "active")
    throw conflict("agent_not_active", `This agent is ${status}: it takes no new runs until it is activated again.`, { status });
}

export async function ingestRun(deps: Deps, actor: Actor, project: Project, agent: Agent, body: RunInput): Promise<Run> {
  mustBeActive(agent.status);
  if (project.status !== "active") throw conflict("project_archived", "This project is archived: no new tasks can enter it.");
  const pipeline = await deps.db.pipeline.findFirst({
    where: { id: body.pipelineId, projectId: project.id },
    include: { nodes: { orderBy: { position: "asc" }, take: 1 } },
  });
  if (!pipeline || !pipeline.nodes[0]) throw notFound("pipeline");
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
  const run = await deps.db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<Array<{ status: string }>>`SELECT "status" FROM "Agent" WHERE "id" = ${agent.id} FOR SHARE`;
    if (!row) throw notFound("agent");
    mustBeActive(row.status);
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
  });
  await enqueueTasks(deps, { orgId: project.orgId, projectId: project.id, pipelineId: pipeline.id, nodeId: first.id }, [task]);
  return run;
}
