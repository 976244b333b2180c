// What an API key may reach. An org key (scope "org") acts with its maker's rights in
// its org; a project key acts only in its project and only for the actions its
// permissions name. can() and authorize() ask here first, so no route or socket
// subscription can forget a key's limits; an action no permission names (a new one
// included) is refused to every project key.
import type { ApiKey } from "@prisma/client";

export const KEY_PERMISSIONS = ["read", "runs:write"] as const;
export type KeyPermission = (typeof KEY_PERMISSIONS)[number];

/** The key an actor came with: `project` set for a project key. */
export interface KeyScope {
  id: string;
  orgId: string;
  project?: { id: string; permissions: readonly KeyPermission[] };
}

const GRANTS: Record<KeyPermission, readonly string[]> = {
  // What a Viewer sees of the project: pipelines, tasks, runs, agents, team, export, dashboard, live rooms.
  read: ["project.read", "project.inspect", "live.queue", "live.projectDashboard"],
  // Ingest runs and import tasks (and read the project's name and status).
  "runs:write": ["project.read", "project.ingest"],
};

const isPermission = (p: string): p is KeyPermission => (KEY_PERMISSIONS as readonly string[]).includes(p);

/** The scope of a stored key; null for a row no key can act with (an unknown scope). */
export function scopeOfKey(k: Pick<ApiKey, "id" | "orgId" | "scope" | "projectId" | "permissions">): KeyScope | null {
  if (k.scope === "org") return { id: k.id, orgId: k.orgId };
  if (k.scope !== "project" || !k.projectId) return null;
  return { id: k.id, orgId: k.orgId, project: { id: k.projectId, permissions: k.permissions.filter(isPermission) } };
}

/** The project an action acts in: a project resource's id, a claim's project; null for org-wide and personal actions. */
function projectOf(action: string, resource: unknown): string | null {
  const r = resource as { id?: string; projectId?: string };
  if (action.startsWith("project.") || action === "live.queue" || action === "live.projectDashboard") return r.id ?? null;
  if (action.startsWith("claim.")) return r.projectId ?? null;
  return null;
}

/**
 * "in": the key allows it (the maker's rights still decide); "elsewhere": another project,
 * which a project key does not see (404, like another org's); "refused": outside its permissions (403).
 */
export function keyScopeOf(key: KeyScope | undefined, action: string, resource: unknown): "in" | "elsewhere" | "refused" {
  const p = key?.project;
  if (!p) return "in";
  const where = projectOf(action, resource);
  if (where === null) return "refused";
  if (where !== p.id) return "elsewhere";
  return p.permissions.some((perm) => GRANTS[perm].includes(action)) ? "in" : "refused";
}
