// The evaluation form's rules on the client, matching the server's (a missing
// required key, a value of the wrong kind or out of range, an unknown key → 422).
// Checking here first lets the form point at the field before anything is sent;
// the server still decides.
import type { Criterion } from "../api/types";
import { humanize } from "../payload";

export type Answers = Record<string, unknown>;
export type FieldErrors = Record<string, string>;

export function ratingRange(c: Criterion): { min: number; max: number } {
  const min = c.min ?? 1;
  const max = c.max ?? Math.max(min, 5);
  return { min, max };
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

export function validateAnswers(criteria: Criterion[], answers: Answers): FieldErrors {
  const errors: FieldErrors = {};
  for (const c of criteria) {
    const v = answers[c.key];
    if (isBlank(v)) {
      if (c.required) errors[c.key] = c.kind === "boolean" ? "Choose yes or no." : c.kind === "text" ? "Write an answer." : "Choose a value.";
      continue;
    }
    const problem = checkValue(c, v);
    if (problem) errors[c.key] = problem;
  }
  return errors;
}

function checkValue(c: Criterion, v: unknown): string | null {
  switch (c.kind) {
    case "rating": {
      const { min, max } = ratingRange(c);
      if (typeof v !== "number" || !Number.isInteger(v)) return "Choose a whole number.";
      if (v < min || v > max) return `Choose between ${min} and ${max}.`;
      return null;
    }
    case "boolean":
      return typeof v === "boolean" ? null : "Choose yes or no.";
    case "choice":
      return typeof v === "string" && (c.options ?? []).includes(v) ? null : "Choose one of the options.";
    case "text": {
      if (typeof v !== "string") return "Write text.";
      if (c.max && v.length > c.max) return `Keep it under ${c.max} characters.`;
      if (c.min && v.trim().length < c.min) return `Write at least ${c.min} characters.`;
      return null;
    }
    default:
      return null;
  }
}

/** What is sent: only the form's keys, blank optional answers left out, text trimmed. */
export function cleanAnswers(criteria: Criterion[], answers: Answers): Answers {
  const out: Answers = {};
  for (const c of criteria) {
    const v = answers[c.key];
    if (isBlank(v)) continue;
    out[c.key] = typeof v === "string" && c.kind === "text" ? v.trim() : v;
  }
  return out;
}

/**
 * Submitted answers as the form asked them: its labels, in its order. Keys the
 * form no longer has (or a form not known) come last, named from the key.
 */
export function answerRows(answers: Answers, criteria: { key: string; label: string }[] = []): { key: string; label: string; value: unknown }[] {
  const rows = criteria.filter((c) => Object.hasOwn(answers, c.key)).map((c) => ({ key: c.key, label: c.label, value: answers[c.key] }));
  const known = new Set(criteria.map((c) => c.key));
  for (const [key, value] of Object.entries(answers)) if (!known.has(key)) rows.push({ key, label: humanize(key), value });
  return rows;
}

/**
 * Field messages out of a 422 invalid_answers answer. The server names the
 * offending keys in details: today {keys: [...], problems: {key: message}};
 * also accepted: {fields|errors: {key: message}}, {issues: [{key|path, message}]}, {key: message}.
 */
export function errorsFromDetails(details: Record<string, unknown> | undefined, fallback = "Check this answer."): FieldErrors {
  if (!details) return {};
  const out: FieldErrors = {};
  const nested = (details.problems ?? details.fields ?? details.errors ?? details.answers) as unknown;
  const issues = details.issues;
  const keys = details.keys ?? details.invalid ?? details.missing ?? details.unknown;
  if (nested && typeof nested === "object" && !Array.isArray(nested)) {
    for (const [k, v] of Object.entries(nested)) out[k] = typeof v === "string" ? v : fallback;
  }
  if (Array.isArray(issues)) {
    for (const i of issues as Array<Record<string, unknown>>) {
      const k = String(i.key ?? (Array.isArray(i.path) ? i.path[0] : i.path) ?? "");
      if (k) out[k] = typeof i.message === "string" ? i.message : fallback;
    }
  }
  for (const list of [keys, details.missing, details.unknown]) {
    if (Array.isArray(list)) for (const k of list) if (typeof k === "string" && !out[k]) out[k] = fallback;
  }
  if (!Object.keys(out).length) {
    for (const [k, v] of Object.entries(details)) if (typeof v === "string") out[k] = v;
  }
  return out;
}
