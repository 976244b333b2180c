import type { Actor } from "./actor";

/** The actor's effective standing in a project: an Org Admin counts as "admin" everywhere in the org. */
export type ProjectStanding = "admin" | "owner" | "viewer" | "contributor" | null;

export const orgRoleOf = (actor: Actor, orgId: string) => actor.orgs.get(orgId) ?? null;
export const isOrgAdmin = (actor: Actor, orgId: string) => orgRoleOf(actor, orgId) === "admin";

export function standingIn(actor: Actor, project: { id: string; orgId: string }): ProjectStanding {
  if (isOrgAdmin(actor, project.orgId)) return "admin";
  return actor.projects.get(project.id)?.role ?? null;
}

/** The contributor assignment in a project (queue work needs one, even for admins). */
export const contributorIn = (actor: Actor, projectId: string) => {
  const m = actor.projects.get(projectId);
  return m?.role === "contributor" ? m : null;
};
