// Agents under test: configure, edit, and move between active, paused and
// archived. Only an active agent's runs are accepted (runs/service.ts).
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { notFound } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { recordAudit } from "../audit/record";
import { projectMustExist } from "../projects/lock";
import { checkRefs, shareItems, writeMcpServers, type Refs, type RefsInput } from "./refs";
import { agentInclude, type AgentRow, type AgentStatus } from "./view";

type Project = { id: string; orgId: string };
export interface AgentInput extends RefsInput {
  name: string;
  description: string;
  config: Record<string, unknown>;
  status: AgentStatus;
}

const refsOf = (a: AgentRow): Refs => ({
  modelId: a.modelId,
  promptId: a.promptId,
  promptVersion: a.promptVersion,
  mcpServerIds: a.mcpServers.map((x) => x.mcpServer.id),
});
const snapshot = (a: AgentRow) => ({ name: a.name, description: a.description, status: a.status, config: a.config, ...refsOf(a) });
const NO_REFS: Refs = { modelId: null, promptId: null, promptVersion: null, mcpServerIds: [] };

const read = (tx: Tx, id: string) => tx.agent.findUniqueOrThrow({ where: { id }, include: agentInclude });

export async function createAgent(deps: Deps, actor: Actor, project: Project, input: AgentInput) {
  const { modelId, promptId, promptVersion, mcpServerIds, ...fields } = input;
  return deps.db.$transaction(async (tx) => {
    await projectMustExist(tx, project.id);
    const refs = await checkRefs(tx, project.orgId, { modelId, promptId, promptVersion, mcpServerIds }, NO_REFS);
    const { id } = await tx.agent.create({
      data: { projectId: project.id, ...fields, config: fields.config as object, modelId: refs.modelId, promptId: refs.promptId, promptVersion: refs.promptVersion },
    });
    await writeMcpServers(tx, id, refs.mcpServerIds);
    const a = await read(tx, id);
    await recordAudit(tx, actor, { orgId: project.orgId, action: "agent.create", resourceType: "agent", resourceId: a.id, after: snapshot(a) });
    return a;
  });
}

/** Edits of one agent take turns on this advisory lock (key, hashtext(agent id)), taken first. */
const AGENT_EDITS = 7304;

const verb: Record<AgentStatus, string> = { active: "agent.activate", paused: "agent.pause", archived: "agent.archive" };

export async function updateAgent(deps: Deps, actor: Actor, project: Project, agentId: string, input: Partial<AgentInput>) {
  const { modelId, promptId, promptVersion, mcpServerIds, ...fields } = input;
  return deps.db.$transaction(async (tx) => {
    // Edits of one agent take turns: each reads the references it replaces. Their
    // turn is an advisory lock, not the agent's row: the items the agent uses and
    // the edit names are locked before that row, as a delete of one takes them
    // (refs.ts shareItems), and only an edit gives the agent an item, so what it
    // uses, read here, stays that (a delete may only take one away meanwhile).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AGENT_EDITS}::int, hashtext(${agentId}::text))`;
    const uses = await tx.agent.findUnique({ where: { id: agentId }, include: { mcpServers: { select: { mcpServerId: true } } } });
    if (!uses) throw notFound("agent");
    const used: RefsInput = { modelId: uses.modelId, promptId: uses.promptId, mcpServerIds: uses.mcpServers.map((m) => m.mcpServerId) };
    await shareItems(tx, project.orgId, [used, { modelId, promptId, mcpServerIds }]);
    const [locked] = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "Agent" WHERE "id" = ${agentId} FOR NO KEY UPDATE`;
    if (!locked) throw notFound("agent");
    const before = await read(tx, agentId);
    const refs = await checkRefs(tx, project.orgId, { modelId, promptId, promptVersion, mcpServerIds }, refsOf(before));
    await tx.agent.update({
      where: { id: agentId },
      data: { ...fields, ...(fields.config ? { config: fields.config as object } : {}), modelId: refs.modelId, promptId: refs.promptId, promptVersion: refs.promptVersion },
    });
    if (mcpServerIds) await writeMcpServers(tx, agentId, refs.mcpServerIds);
    const a = await read(tx, agentId);
    // A status change is named for what it does, so the audit log reads "paused", not "updated".
    const action = input.status && input.status !== before.status ? verb[input.status] : "agent.update";
    await recordAudit(tx, actor, { orgId: project.orgId, action, resourceType: "agent", resourceId: a.id, before: snapshot(before), after: snapshot(a) });
    return a;
  });
}
