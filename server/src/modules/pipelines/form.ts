// A task node's evaluation form: its criteria (rating, yes/no, single choice,
// free text; required or not) and the check of submitted answers against it.
import { z } from "zod";
import { invalidAnswers } from "../../http/errors";

export const KINDS = ["rating", "boolean", "choice", "text"] as const;
const TEXT_MAX = 20_000;

export const criterionSchema = z
  .strictObject({
    key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "Use a letter, then letters, digits or _ (at most 64)"),
    label: z.string().trim().min(1).max(200),
    kind: z.enum(KINDS),
    required: z.boolean().default(false),
    min: z.number().int().min(-1000).max(1000).optional(),
    max: z.number().int().min(-1000).max(1000).optional(),
    options: z.array(z.string().trim().min(1).max(200)).min(2).max(50).optional(),
    description: z.string().max(2000).optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (c.kind !== "rating" && (c.min !== undefined || c.max !== undefined)) issue("min", "Only rating criteria have min and max");
    if (c.kind === "rating" && (c.min ?? 1) >= (c.max ?? 5)) issue("max", "max must be greater than min");
    if (c.kind === "choice" && !c.options) issue("options", "A choice criterion lists its options");
    if (c.kind !== "choice" && c.options) issue("options", "Only choice criteria have options");
    if (c.options && new Set(c.options).size !== c.options.length) issue("options", "An option is listed twice");
  })
  .transform((c) => (c.kind === "rating" ? { ...c, min: c.min ?? 1, max: c.max ?? 5 } : c));

export const formSchema = z
  .strictObject({ criteria: z.array(criterionSchema).min(1).max(100) })
  .refine((f) => new Set(f.criteria.map((c) => c.key)).size === f.criteria.length, { message: "Criterion keys must be unique", path: ["criteria"] });

export type Criterion = z.output<typeof criterionSchema>;
export type Form = z.output<typeof formSchema>;

// zod copies a record by assignment, so an own "__proto__" key of the JSON would
// silently become the copy's prototype instead of meeting the form check as an
// unknown criterion (found by test/chaos/hostile-input.test.ts): refuse it first.
export const answersSchema = z
  .unknown()
  .refine((v) => !(v && typeof v === "object" && Object.hasOwn(v, "__proto__")), { message: "Answers may not use the key __proto__" })
  .pipe(z.record(z.string().max(100), z.unknown()));

/** The answers, checked against the form; 422 invalid_answers names every offending key. */
export function validateAnswers(form: Form, answers: Record<string, unknown>): Record<string, unknown> {
  const problems: Record<string, string> = {};
  const known = new Map(form.criteria.map((c) => [c.key, c]));
  for (const key of Object.keys(answers)) if (!known.has(key)) problems[key] = "unknown criterion";
  const clean: Record<string, unknown> = {};
  for (const c of form.criteria) {
    const v = Object.hasOwn(answers, c.key) ? answers[c.key] : undefined;
    if (v === undefined || v === null || (c.kind === "text" && typeof v === "string" && v.trim() === "")) {
      if (c.required) problems[c.key] = "required";
      continue;
    }
    const problem = check(c, v);
    if (problem) problems[c.key] = problem;
    else clean[c.key] = v;
  }
  const keys = Object.keys(problems);
  if (keys.length) {
    throw invalidAnswers(`These answers do not fit the form: ${keys.join(", ")}.`, { keys, problems });
  }
  return clean;
}

function check(c: Criterion, v: unknown): string | null {
  switch (c.kind) {
    case "rating":
      if (typeof v !== "number" || !Number.isInteger(v)) return "expected a whole number";
      return v < c.min! || v > c.max! ? `expected ${c.min} to ${c.max}` : null;
    case "boolean":
      return typeof v === "boolean" ? null : "expected true or false";
    case "choice":
      return typeof v === "string" && c.options!.includes(v) ? null : `expected one of: ${c.options!.join(", ")}`;
    case "text":
      if (typeof v !== "string") return "expected text";
      return v.length > TEXT_MAX ? `expected at most ${TEXT_MAX} characters` : null;
  }
}
