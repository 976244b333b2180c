// MCP servers: connections (URL, transport, an auth token sealed at rest) and
// the tool endpoints they offer.
import { z } from "zod";
import type { McpServer } from "@prisma/client";
import { mask } from "../../infra/crypto";
import { agentsUsingMcpServer } from "../agents/usage";
import type { OrgItem } from "./item";
import { httpUrl, patchSecret, secretInput, secretMustFollow } from "./secret";

const tool = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
});
const tools = z
  .array(tool)
  .max(500)
  .refine((t) => new Set(t.map((x) => x.name)).size === t.length, { message: "Tool names must be unique" });
const fields = {
  name: z.string().trim().min(1).max(200),
  url: httpUrl,
  transport: z.enum(["http", "sse"]),
};

const createBody = z.strictObject({
  name: fields.name,
  url: fields.url,
  transport: fields.transport,
  authToken: secretInput.nullish(),
  tools: tools.default([]),
});
const patchBody = z.strictObject({
  name: fields.name.optional(),
  url: fields.url.optional(),
  transport: fields.transport.optional(),
  /** A string replaces the token, null removes it. */
  authToken: secretInput.nullish(),
  tools: tools.optional(),
});

const schema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  transport: z.enum(["http", "sse"]),
  authTokenMasked: z.string().nullable(),
  tools: z.array(z.object({ name: z.string(), description: z.string().optional() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});

type Create = z.infer<typeof createBody>;
type Patch = z.infer<typeof patchBody>;
type Tool = z.infer<typeof tool>;

export const mcpServersItem: OrgItem<McpServer, Create, Patch, z.infer<typeof schema>> = {
  path: "mcp-servers",
  noun: "MCP server",
  resource: "mcp_server",
  tableName: "McpServer",
  schema,
  createBody,
  patchBody,
  summaries: {
    update: "Edit an MCP server (Org Admins); changing its URL needs the auth token again, or `authToken: null`",
    delete: "Delete an MCP server (Org Admins); agents that use it lose it from their list (the audit entry names them)",
  },
  table: (db) => db.mcpServer,
  toCreate: (b, deps) => ({
    name: b.name,
    url: b.url,
    transport: b.transport,
    tools: b.tools,
    ...patchSecret(deps, b.authToken ?? undefined, "authTokenEnc", "authTokenLast4"),
  }),
  toUpdate: (b, before, deps) => {
    secretMustFollow(b.url !== undefined && b.url !== before.url, !!before.authTokenEnc, b.authToken, "authToken", "URL");
    return {
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(b.url !== undefined ? { url: b.url } : {}),
      ...(b.transport !== undefined ? { transport: b.transport } : {}),
      ...(b.tools !== undefined ? { tools: b.tools } : {}),
      ...patchSecret(deps, b.authToken, "authTokenEnc", "authTokenLast4"),
    };
  },
  view: (s) => ({
    id: s.id,
    name: s.name,
    url: s.url,
    transport: s.transport as "http" | "sse",
    authTokenMasked: mask(s.authTokenLast4),
    tools: s.tools as Tool[],
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  }),
  // Agents that use it lose it (see agents/usage.ts); the audit entry names them.
  onDelete: agentsUsingMcpServer,
  audit: (s) => ({ name: s.name, url: s.url, transport: s.transport, tools: s.tools, hasAuth: s.authTokenEnc !== null }),
};
