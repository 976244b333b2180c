// How API keys are described on the org's and the project's key pages.
import type { ApiKey, KeyPermission } from "./api/types";

/** The permissions a project key may be given, in the order the form shows them. */
export const KEY_PERMISSIONS: { value: KeyPermission; label: string; hint: string }[] = [
  { value: "runs:write", label: "Send runs", hint: "ingest agent runs and import tasks" },
  { value: "read", label: "Read", hint: "tasks, runs, pipelines, exports and the dashboard, as a Viewer sees them" },
];

const labelOf = (p: KeyPermission) => KEY_PERMISSIONS.find((k) => k.value === p)?.label ?? p;

/** "Send runs, Read" for a project key's permissions. */
export const permissionsText = (k: Pick<ApiKey, "permissions">) => (k.permissions ?? []).map(labelOf).join(", ");

/** What a key reaches: the whole org (its maker's rights) or one project (by name, when known). */
export function scopeText(k: Pick<ApiKey, "scope" | "projectId" | "permissions">, projectNames: Map<string, string> = new Map()): string {
  if (k.scope === "org") return "Organization: its maker's rights";
  const name = k.projectId ? projectNames.get(k.projectId) : undefined;
  return `${name ? `Project ${name}` : "Project"}: ${permissionsText(k)}`;
}
