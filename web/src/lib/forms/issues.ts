// The field issues of a refused request (400 invalid_request carries
// details.issues: [{in, path: "a.0.b", message}]), so a form can show each one
// next to the field at fault instead of one sentence at the top.
import { ApiError } from "../api/client";

export interface Issue {
  path: string;
  message: string;
}

export function issuesOf(err: unknown): Issue[] {
  if (!(err instanceof ApiError)) return [];
  const list = err.details?.issues;
  if (!Array.isArray(list)) return [];
  return list.flatMap((i: unknown) => {
    const { path, message } = (i ?? {}) as { path?: unknown; message?: unknown };
    const p = Array.isArray(path) ? path.join(".") : typeof path === "string" ? path : "";
    return [{ path: p, message: typeof message === "string" && message ? message : "Check this." }];
  });
}

/**
 * Issues keyed by the form's own field names: `fieldOf` turns an API path into
 * a field key (or null when the form has no such field). The rest stay for the
 * summary at the top.
 */
export function fieldIssues(err: unknown, fieldOf: (path: string) => string | null): { fields: Record<string, string>; rest: Issue[] } {
  const fields: Record<string, string> = {};
  const rest: Issue[] = [];
  for (const i of issuesOf(err)) {
    const key = fieldOf(i.path);
    if (key && !fields[key]) fields[key] = i.message;
    else if (!key) rest.push(i);
  }
  return { fields, rest };
}

/** "Task 3: Not a contributor of this project (assignTo.userId)" for issues on the n-th item of a bulk body ("tasks.2.assignTo.userId"). */
export function itemIssueLines(err: unknown, list: string, noun: string, max = 10): string[] {
  const re = new RegExp(`^${list}\\.(\\d+)(?:\\.(.+))?$`);
  const lines = issuesOf(err).map((i) => {
    const m = re.exec(i.path);
    if (!m) return i.path ? `${i.path}: ${i.message}` : i.message;
    return `${noun} ${Number(m[1]) + 1}: ${i.message}${m[2] ? ` (${m[2]})` : ""}`;
  });
  return lines.length > max ? [...lines.slice(0, max), `… and ${lines.length - max} more.`] : lines;
}
