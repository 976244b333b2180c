// The rules of an Owner's task edit (PATCH /api/tasks/:taskId): who a task may
// be assigned to (the project's contributors and its contributor types), the
// picker's value for an assignment, and the body that sends only what changed.
import type { ContributorType, Member, Task } from "./api/types";

export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;

export type Assignment = { userId: string } | { contributorTypeId: string } | null;

export interface AssigneeOption {
  /** "" nobody, "u:<userId>" a person, "t:<typeId>" a type. */
  value: string;
  label: string;
}

export interface AssigneeGroups {
  people: AssigneeOption[];
  types: AssigneeOption[];
}

/** Contributors of the project (by name, their type said) and its types: whom the API accepts. */
export function assigneeOptions(members: Member[], types: ContributorType[]): AssigneeGroups {
  const people = members
    .filter((m) => m.role === "contributor")
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => ({ value: `u:${m.userId}`, label: m.contributorType ? `${m.name} (${m.contributorType.name})` : m.name }));
  const kinds = [...types].sort((a, b) => a.name.localeCompare(b.name)).map((t) => ({ value: `t:${t.id}`, label: `Any ${t.name}` }));
  return { people, types: kinds };
}

/** The picker's value for the task's assignment. */
export function assigneeValue(t: Pick<Task, "assignedUserId" | "assignedTypeId">): string {
  if (t.assignedUserId) return `u:${t.assignedUserId}`;
  if (t.assignedTypeId) return `t:${t.assignedTypeId}`;
  return "";
}

export function assignmentOf(value: string): Assignment {
  if (value.startsWith("u:")) return { userId: value.slice(2) };
  if (value.startsWith("t:")) return { contributorTypeId: value.slice(2) };
  return null;
}

/** A whole number within the import's bounds, else why not. */
export function priorityError(raw: string | number | null | undefined): string | null {
  const n = typeof raw === "number" ? raw : raw == null || raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isInteger(n)) return "A whole number.";
  if (n < PRIORITY_MIN || n > PRIORITY_MAX) return `From ${PRIORITY_MIN} to ${PRIORITY_MAX}.`;
  return null;
}

/** The PATCH body for what the form changed (null: nothing to send). */
export function editBody(t: Pick<Task, "priority" | "assignedUserId" | "assignedTypeId">, form: { priority: string | number | null | undefined; assignee: string }) {
  const body: { priority?: number; assignment?: Assignment } = {};
  const p = Number(form.priority);
  if (!priorityError(form.priority) && p !== t.priority) body.priority = p;
  if (form.assignee !== assigneeValue(t)) body.assignment = assignmentOf(form.assignee);
  return Object.keys(body).length ? body : null;
}

/** Queued or claimed tasks may be cancelled, cancelled ones reopened; completed ones stay as they are. */
export const canCancel = (t: Pick<Task, "status">) => t.status === "queued" || t.status === "claimed";
export const canReopen = (t: Pick<Task, "status">) => t.status === "cancelled";
export const editable = (t: Pick<Task, "status">) => t.status !== "completed";
