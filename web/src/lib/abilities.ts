// What to show as writable. The API is the guard; these only hide buttons a
// user could not use (a Viewer sees every admin page with writes hidden).
import type { Me, Standing } from "./api/types";

export const isOrgAdmin = (me: Me | null, orgId: string | null | undefined) =>
  !!me && !!orgId && me.orgs.some((o) => o.id === orgId && o.role === "admin");

/** Owners and Org Admins edit a project's pipelines, types, team, agents, runs and tasks. */
export const canWriteProject = (standing: Standing | undefined) => standing === "admin" || standing === "owner";

/** Archive, restore and delete: Org Admins only. */
export const canManageProject = (standing: Standing | undefined) => standing === "admin";

/** Admin pages of a project (pipelines, tasks, team, dashboard): Owners, Viewers and Org Admins. */
export const canInspectProject = (standing: Standing | undefined) => standing === "admin" || standing === "owner" || standing === "viewer";

/** The contributor projects of the account (queue work needs a Contributor assignment). */
export const contributorProjects = (me: Me | null) => (me ? me.projects.filter((p) => p.role === "contributor" && p.status !== "archived") : []);
