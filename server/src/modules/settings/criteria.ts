// Evaluation criteria: org-scoped building blocks for any project's forms. Each
// kind carries only what it needs (a scale for rating, options for choice); the
// limits are those of a form criterion (pipelines/form.ts), so any library
// criterion can be used in a form as it is.
import { z } from "zod";
import { Prisma, type EvaluationCriterion } from "@prisma/client";
import { conflict, invalidRequest } from "../../http/errors";
import type { OrgItem } from "./item";

const kind = z.enum(["rating", "boolean", "choice", "text"]);
const fields = {
  key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "Use a letter, then letters, digits or _ (at most 64)"),
  label: z.string().trim().min(1).max(200),
  required: z.boolean(),
  bound: z.number().int().min(-1000).max(1000).nullable(),
  options: z.array(z.string().trim().min(1).max(200)).min(2).max(50).nullable(),
  description: z.string().max(2000).nullable(),
};

const createBody = z.strictObject({
  key: fields.key,
  label: fields.label,
  kind,
  required: fields.required.default(false),
  min: fields.bound.optional(),
  max: fields.bound.optional(),
  options: fields.options.optional(),
  description: fields.description.optional(),
});
const patchBody = z.strictObject({
  key: fields.key.optional(),
  label: fields.label.optional(),
  kind: kind.optional(),
  required: fields.required.optional(),
  min: fields.bound.optional(),
  max: fields.bound.optional(),
  options: fields.options.optional(),
  description: fields.description.optional(),
});

const schema = z.object({
  id: z.string(),
  key: z.string(),
  label: z.string(),
  kind,
  required: z.boolean(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  options: z.array(z.string()).nullable(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** What a form takes from a library criterion (a project's list of the library: settings/library.ts). */
export const formCriterionSchema = schema.omit({ createdAt: true, updatedAt: true });
export const formCriterionView = (c: EvaluationCriterion): z.infer<typeof formCriterionSchema> => ({
  id: c.id,
  key: c.key,
  label: c.label,
  kind: c.kind as z.infer<typeof kind>,
  required: c.required,
  min: c.min,
  max: c.max,
  options: (c.options as string[] | null) ?? null,
  description: c.description,
});

type Create = z.infer<typeof createBody>;
type Patch = z.infer<typeof patchBody>;
type Shape = { kind: string; min: number | null; max: number | null; options: string[] | null };

/** The whole criterion after a change must make sense for its kind. */
function checkShape(c: Shape) {
  if (c.kind === "rating") {
    if (c.min === null || c.max === null) throw invalidRequest("A rating criterion needs min and max.");
    if (c.min >= c.max) throw invalidRequest("A rating's min must be below its max.");
  }
  if (c.kind === "choice" && !c.options) throw invalidRequest("A choice criterion needs options.");
  if (c.options && new Set(c.options).size !== c.options.length) throw invalidRequest("Options must be unique.");
  // Fields that mean nothing for the kind are dropped rather than kept stale.
  return {
    kind: c.kind,
    min: c.kind === "rating" ? c.min : null,
    max: c.kind === "rating" ? c.max : null,
    options: c.kind === "choice" && c.options ? c.options : Prisma.DbNull,
  };
}

export const criteriaItem: OrgItem<EvaluationCriterion, Create, Patch, z.infer<typeof schema>> = {
  path: "evaluation-criteria",
  noun: "evaluation criterion",
  resource: "evaluation_criterion",
  tableName: "EvaluationCriterion",
  schema,
  createBody,
  patchBody,
  table: (db) => db.evaluationCriterion,
  toCreate: (b) => ({
    key: b.key,
    label: b.label,
    required: b.required,
    description: b.description ?? null,
    ...checkShape({ kind: b.kind, min: b.min ?? null, max: b.max ?? null, options: b.options ?? null }),
  }),
  toUpdate: (b, before) => ({
    ...(b.key !== undefined ? { key: b.key } : {}),
    ...(b.label !== undefined ? { label: b.label } : {}),
    ...(b.required !== undefined ? { required: b.required } : {}),
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...checkShape({
      kind: b.kind ?? before.kind,
      min: b.min !== undefined ? b.min : before.min,
      max: b.max !== undefined ? b.max : before.max,
      options: b.options !== undefined ? b.options : (before.options as string[] | null),
    }),
  }),
  view: (c) => ({
    ...formCriterionView(c),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  }),
  // "key" would be dropped by the audit scrubber (it looks like a secret's name).
  audit: (c) => ({ criterionKey: c.key, label: c.label, kind: c.kind, required: c.required, min: c.min, max: c.max, options: c.options }),
  onUnique: () => conflict("key_taken", "An evaluation criterion with this key already exists in the organization."),
};
