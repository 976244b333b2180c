// An agent's references to its org's settings: a model, a prompt (optionally
// pinned to one of its versions) and MCP servers. Each must be of the project's
// org; anything else (another org's id, one that does not exist) is a field issue
// of the body, said the same way, so an id tells nothing about other orgs.
// The rows named are read FOR KEY SHARE, so a delete in the org's settings either
// waits for this write (and then takes the reference away with the row) or
// committed first and the id is refused here. An edit locks them (and those the
// agent uses) before the agent's row (shareItems), the order of such a delete.
import { z } from "zod";
import { invalidRequest } from "../../http/errors";
import { id } from "../../http/route";
import type { Tx } from "../../infra/prisma";

export const refFields = {
  modelId: id.nullable(),
  promptId: id.nullable(),
  /** null: the prompt's current version, whatever it becomes. */
  promptVersion: z.number().int().min(1).nullable(),
  mcpServerIds: z
    .array(id)
    .max(50)
    .refine((ids) => new Set(ids).size === ids.length, { message: "An MCP server is named twice" }),
};

export interface Refs {
  modelId: string | null;
  promptId: string | null;
  promptVersion: number | null;
  mcpServerIds: string[];
}
export type RefsInput = { [K in keyof Refs]?: Refs[K] | undefined };

type Issue = { in: "body"; path: string; message: string };

/**
 * The references after the change, checked against the org: what the input
 * names, the rest kept from `before`. A new prompt without a version follows
 * its current one; a version alone pins the prompt the agent has.
 */
export async function checkRefs(tx: Tx, orgId: string, input: RefsInput, before: Refs): Promise<Refs> {
  const next: Refs = {
    modelId: input.modelId !== undefined ? input.modelId : before.modelId,
    promptId: input.promptId !== undefined ? input.promptId : before.promptId,
    promptVersion:
      input.promptVersion !== undefined ? input.promptVersion : input.promptId !== undefined && input.promptId !== before.promptId ? null : before.promptVersion,
    mcpServerIds: input.mcpServerIds ?? before.mcpServerIds,
  };
  const issues: Issue[] = [];
  const issue = (path: string, message: string) => issues.push({ in: "body", path, message });

  if (input.modelId) {
    const [m] = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "LlmModel" WHERE "id" = ${input.modelId} AND "orgId" = ${orgId} FOR KEY SHARE`;
    if (!m) issue("modelId", "No such model in this organization");
  }
  if (next.promptId && (input.promptId !== undefined || input.promptVersion != null)) {
    const [p] = await tx.$queryRaw<Array<{ n: number }>>`
      SELECT jsonb_array_length("versions")::int AS n FROM "Prompt" WHERE "id" = ${next.promptId} AND "orgId" = ${orgId} FOR KEY SHARE`;
    if (!p) issue("promptId", "No such prompt in this organization");
    else if (next.promptVersion !== null && next.promptVersion > p.n) issue("promptVersion", `The prompt has versions 1 to ${p.n}`);
  } else if (!next.promptId && input.promptVersion != null) {
    issue("promptVersion", "A version needs a prompt (promptId)");
  }
  if (input.mcpServerIds?.length) {
    const rows = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT "id" FROM "McpServer" WHERE "id" = ANY(${input.mcpServerIds}::text[]) AND "orgId" = ${orgId} ORDER BY "id" FOR KEY SHARE`;
    const found = new Set(rows.map((r) => r.id));
    input.mcpServerIds.forEach((s, i) => found.has(s) || issue(`mcpServerIds.${i}`, "No such MCP server in this organization"));
  }
  if (issues.length) throw invalidRequest(`The body is not valid: ${issues[0]!.message}.`, { issues });
  if (!next.promptId) next.promptVersion = null;
  return next;
}

const ids = (sets: RefsInput[], pick: (r: RefsInput) => Array<string | null | undefined>) => [
  ...new Set(sets.flatMap(pick).filter((x): x is string => !!x)),
];

/**
 * The org's items the sets name, FOR KEY SHARE, in one order: models, prompts,
 * MCP servers, each by id. An edit takes them before the agent's row: a delete
 * locks its item FOR UPDATE and then the agents it clears (agents/usage.ts), so in
 * the other order the two would deadlock. Gone ones are skipped (checkRefs says so).
 */
export async function shareItems(tx: Tx, orgId: string, sets: RefsInput[]): Promise<void> {
  const models = ids(sets, (r) => [r.modelId]);
  const prompts = ids(sets, (r) => [r.promptId]);
  const servers = ids(sets, (r) => r.mcpServerIds ?? []);
  if (models.length) await tx.$queryRaw`SELECT 1 FROM "LlmModel" WHERE "id" = ANY(${models}::text[]) AND "orgId" = ${orgId} ORDER BY "id" FOR KEY SHARE`;
  if (prompts.length) await tx.$queryRaw`SELECT 1 FROM "Prompt" WHERE "id" = ANY(${prompts}::text[]) AND "orgId" = ${orgId} ORDER BY "id" FOR KEY SHARE`;
  if (servers.length) await tx.$queryRaw`SELECT 1 FROM "McpServer" WHERE "id" = ANY(${servers}::text[]) AND "orgId" = ${orgId} ORDER BY "id" FOR KEY SHARE`;
}

/** Replaces the agent's MCP servers by the list, in its order. */
export async function writeMcpServers(tx: Tx, agentId: string, ids: string[]) {
  await tx.agentMcpServer.deleteMany({ where: { agentId } });
  if (ids.length) await tx.agentMcpServer.createMany({ data: ids.map((mcpServerId, position) => ({ agentId, mcpServerId, position })) });
}
