// Prompts: an org's prompt library. Every change of text adds a version, so
// an earlier wording is never lost; `versions` is the whole history, oldest first.
import { z } from "zod";
import type { Prompt } from "@prisma/client";
import { agentsUsingPrompt } from "../agents/usage";
import type { OrgItem } from "./item";

const variables = z
  .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "A variable is a name of letters, digits and _"))
  .max(100)
  .refine((v) => new Set(v).size === v.length, { message: "Variables must be unique" });
const fields = {
  name: z.string().trim().min(1).max(200),
  text: z.string().min(1).max(100_000),
};

const createBody = z.strictObject({ name: fields.name, text: fields.text, variables: variables.default([]) });
const patchBody = z.strictObject({ name: fields.name.optional(), text: fields.text.optional(), variables: variables.optional() });

const version = z.object({ version: z.number(), text: z.string(), createdAt: z.string() });
type Version = z.infer<typeof version>;
const schema = z.object({
  id: z.string(),
  name: z.string(),
  text: z.string(),
  variables: z.array(z.string()),
  version: z.number(),
  versions: z.array(version),
  createdAt: z.string(),
  updatedAt: z.string(),
});

type Create = z.infer<typeof createBody>;
type Patch = z.infer<typeof patchBody>;

export const promptsItem: OrgItem<Prompt, Create, Patch, z.infer<typeof schema>> = {
  path: "prompts",
  noun: "prompt",
  resource: "prompt",
  tableName: "Prompt",
  schema,
  createBody,
  patchBody,
  summaries: { delete: "Delete a prompt (Org Admins); agents that use it are left without a prompt (the audit entry names them)" },
  table: (db) => db.prompt,
  toCreate: (b, deps) => ({
    name: b.name,
    text: b.text,
    variables: b.variables,
    versions: [{ version: 1, text: b.text, createdAt: deps.clock.now().toISOString() }] satisfies Version[],
  }),
  toUpdate: (b, before, deps) => {
    const versions = before.versions as Version[];
    const changed = b.text !== undefined && b.text !== before.text;
    return {
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(b.variables !== undefined ? { variables: b.variables } : {}),
      ...(changed
        ? {
            text: b.text,
            versions: [...versions, { version: versions.length + 1, text: b.text!, createdAt: deps.clock.now().toISOString() }],
          }
        : {}),
    };
  },
  view: (p) => {
    const versions = p.versions as Version[];
    return {
      id: p.id,
      name: p.name,
      text: p.text,
      variables: p.variables as string[],
      version: versions.length,
      versions,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  },
  // Agents that use it lose it (see agents/usage.ts); the audit entry names them.
  onDelete: agentsUsingPrompt,
  // The audit keeps which version changed, not every text again.
  audit: (p) => ({ name: p.name, variables: p.variables, version: (p.versions as Version[]).length }),
};
