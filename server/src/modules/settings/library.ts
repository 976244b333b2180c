// The org's library read through a project: GET /api/projects/:projectId/templates
// and /evaluation-criteria. The people who build a project's forms (Owners, and
// Viewers, who read all an Owner reads) do not manage the org's settings, where
// the library is kept (Org Admins). Same order and cursor as the org's own lists
// (ids are random, not in creation order).
import { z } from "zod";
import type { Deps } from "../../deps";
import { afterCursor, keysetOrder, keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import type { Actor } from "../../access/actor";
import { loadProject } from "../load";
import { formCriterionSchema, formCriterionView } from "./criteria";
import { templatesItem } from "./templates";

const params = z.strictObject({ projectId: id });
type ListQuery = z.infer<typeof listQuery>;

/** The project's org, for those who may inspect the project. */
async function orgOf(deps: Deps, actor: Actor, projectId: string) {
  return (await loadProject(deps, actor, projectId, "project.inspect")).orgId;
}

const oldestFirst = (orgId: string, query: ListQuery) => ({
  where: { orgId, ...afterCursor("createdAt", "asc", query.cursor) },
  orderBy: keysetOrder("createdAt", "asc"),
  take: query.limit + 1,
});

export function registerLibraryRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/templates",
    tag: "pipelines",
    summary: "The organization's pipeline templates, for this project's Owners, Viewers and Org Admins (in the order they were made; instantiating is the Owners' and Org Admins')",
    params,
    query: listQuery,
    response: page(templatesItem.schema),
    async handler({ actor, params, query, deps }) {
      const orgId = await orgOf(deps, actor, params.projectId);
      const p = keysetPage(await deps.db.pipelineTemplate.findMany(oldestFirst(orgId, query)), query.limit, "createdAt");
      return { items: p.items.map(templatesItem.view), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "get",
    path: "/api/projects/:projectId/evaluation-criteria",
    tag: "pipelines",
    summary: "The organization's evaluation criteria, to use in this project's forms: for its Owners, Viewers and Org Admins (in the order they were made)",
    params,
    query: listQuery,
    response: page(formCriterionSchema),
    async handler({ actor, params, query, deps }) {
      const orgId = await orgOf(deps, actor, params.projectId);
      const p = keysetPage(await deps.db.evaluationCriterion.findMany(oldestFirst(orgId, query)), query.limit, "createdAt");
      return { items: p.items.map(formCriterionView), nextCursor: p.nextCursor };
    },
  });
}
