// Agents under test: configure, edit, and move between active, paused and
// archived. Only an active agent's runs are accepted (runs/service.ts).
import type { Agent } from "@prisma/client";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { recordAudit } from "../audit/record";
import { projectMustExist } from "../projects/lock";
import type { AgentStatus } from "./view";

type Project = { id: string; orgId: string };
export interface AgentInput {
  name: string;
  description: string;
  config: Record<string, unknown>;
  status: AgentStatus;
}

const snapshot = (a: Agent) => ({ name: a.name, description: a.description, status: a.status, config: a.config });

export async function createAgent(deps: Deps, actor: Actor, project: Project, input: AgentInput) {
  return deps.db.$transaction(async (tx) => {
    await projectMustExist(tx, project.id);
    const a = await tx.agent.create({ data: { projectId: project.id, ...input, config: input.config as object } });
    await recordAudit(tx, actor, { orgId: project.orgId, action: "agent.create", resourceType: "agent", resourceId: a.id, after: snapshot(a) });
    return a;
  });
}

const verb: Record<AgentStatus, string> = { active: "agent.activate", paused: "agent.pause", archived: "agent.archive" };

export async function updateAgent(deps: Deps, actor: Actor, project: Project, before: Agent, input: Partial<AgentInput>) {
  return deps.db.$transaction(async (tx) => {
    const a = await tx.agent.update({
      where: { id: before.id },
      data: { ...input, ...(input.config ? { config: input.config as object } : {}) },
    });
    // A status change is named for what it does, so the audit log reads "paused", not "updated".
    const action = input.status && input.status !== before.status ? verb[input.status] : "agent.update";
    await recordAudit(tx, actor, { orgId: project.orgId, action, resourceType: "agent", resourceId: a.id, before: snapshot(before), after: snapshot(a) });
    return a;
  });
}
