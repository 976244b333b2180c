// Loaders that pair "find it" with "may you": a missing row and another org's
// row answer the same 404.
import type { Actor } from "../access/actor";
import { authorize, type Action } from "../access/authorize";
import type { Deps } from "../deps";
import { notFound } from "../http/errors";

type ProjectAction = Extract<Action, `project.${string}`>;
type OrgAction = Extract<Action, `org.${string}`>;

export async function loadProject(deps: Deps, actor: Actor, projectId: string, action: ProjectAction) {
  const project = await deps.db.project.findUnique({ where: { id: projectId } });
  if (!project) throw notFound("project");
  authorize(actor, action, project, "project");
  return project;
}

export async function loadOrg(deps: Deps, actor: Actor, orgId: string, action: OrgAction) {
  if (!actor.orgs.has(orgId)) throw notFound("organization");
  const org = await deps.db.organization.findUnique({ where: { id: orgId } });
  if (!org) throw notFound("organization");
  authorize(actor, action, { orgId: org.id }, "organization");
  return org;
}
