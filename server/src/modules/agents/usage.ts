// What deleting a model, prompt or MCP server in the org's settings takes from
// agents: the database's own rules take the reference away (a model or prompt
// set to null, an MCP server's row cascaded), so no agent keeps an id of nothing;
// these name the agents for the delete's audit entry. Called with the item's row
// locked (settings/service.ts), so no agent starts using it meanwhile, and an
// agent's edit that uses or names it (it holds the row FOR KEY SHARE: service.ts)
// has committed: the agents are listed as it left them.
import type { Tx } from "../../infra/prisma";

const select = { id: true, name: true, projectId: true } as const;
const order = [{ createdAt: "asc" as const }, { id: "asc" as const }];

export async function agentsUsingModel(tx: Tx, modelId: string) {
  return { agents: await tx.agent.findMany({ where: { modelId }, select, orderBy: order }) };
}

export async function agentsUsingPrompt(tx: Tx, promptId: string) {
  const agents = await tx.agent.findMany({ where: { promptId }, select, orderBy: order });
  // The pinned version goes with the prompt (the foreign key clears only promptId).
  if (agents.length) await tx.agent.updateMany({ where: { promptId }, data: { promptVersion: null } });
  return { agents };
}

export async function agentsUsingMcpServer(tx: Tx, mcpServerId: string) {
  return { agents: await tx.agent.findMany({ where: { mcpServers: { some: { mcpServerId } } }, select, orderBy: order }) };
}
