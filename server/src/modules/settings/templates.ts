// Pipeline templates: an org's reusable pipeline definitions. Nodes have the
// shape of a pipeline's nodes, minus contributor types (those belong to a
// project: they are chosen when the template is instantiated).
import { z } from "zod";
import type { PipelineTemplate } from "@prisma/client";
import { nodeInputSchema, pipelineInputSchema } from "../pipelines/schema";
import type { OrgItem } from "./item";

export const templateNode = nodeInputSchema.omit({ contributorTypeId: true });
export type TemplateNode = z.output<typeof templateNode>;
const nodes = z.array(templateNode).min(2).max(50);

/** A template must be a pipeline the engine accepts: the same rules, checked on save. */
function pipelineRules(t: { name?: string; nodes?: TemplateNode[] }, ctx: z.RefinementCtx) {
  if (!t.nodes) return;
  const r = pipelineInputSchema.safeParse({ name: t.name ?? "template", nodes: t.nodes });
  if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
}

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
};
const createBody = z.strictObject({ name: fields.name, description: fields.description.default(""), nodes }).superRefine(pipelineRules);
const patchBody = z
  .strictObject({ name: fields.name.optional(), description: fields.description.optional(), nodes: nodes.optional() })
  .superRefine(pipelineRules);

const schema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  nodes: z.array(templateNode),
  createdAt: z.string(),
  updatedAt: z.string(),
});

type Create = z.infer<typeof createBody>;
type Patch = z.infer<typeof patchBody>;

export const templatesItem: OrgItem<PipelineTemplate, Create, Patch, z.infer<typeof schema>> = {
  path: "templates",
  noun: "template",
  resource: "template",
  tableName: "PipelineTemplate",
  schema,
  createBody,
  patchBody,
  table: (db) => db.pipelineTemplate,
  toCreate: (b) => ({ name: b.name, description: b.description, nodes: b.nodes }),
  toUpdate: (b) => ({
    ...(b.name !== undefined ? { name: b.name } : {}),
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.nodes !== undefined ? { nodes: b.nodes } : {}),
  }),
  view: (t) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    nodes: t.nodes as TemplateNode[],
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  }),
  audit: (t) => ({ name: t.name, description: t.description, nodes: (t.nodes as TemplateNode[]).map((n) => n.key) }),
};
