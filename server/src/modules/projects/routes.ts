import { z } from "zod";
import { isOrgAdmin } from "../../access/roles";
import { id, listQuery, page, pageOf, type Api } from "../../http/route";
import { loadOrg, loadProject } from "../load";
import { archiveProject, createProject, deleteProject, updateProject } from "./service";
import { projectSchema, projectView } from "./view";

const createBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(""),
});
const patchBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(5000).optional(),
});
const projectParams = z.strictObject({ projectId: id });

export function registerProjectRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/orgs/:orgId/projects",
    tag: "projects",
    summary: "List projects: all of them for Org Admins, the ones you are on otherwise",
    params: z.strictObject({ orgId: id }),
    query: listQuery.extend({ status: z.enum(["active", "archived"]).optional() }),
    response: page(projectSchema),
    async handler({ actor, params, query, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.read");
      const mine = isOrgAdmin(actor, params.orgId) ? undefined : [...actor.projects.keys()];
      const rows = await deps.db.project.findMany({
        where: {
          orgId: params.orgId,
          ...(mine ? { id: { in: mine } } : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(query.cursor ? { id: { gt: query.cursor, ...(mine ? { in: mine } : {}) } } : {}),
        },
        orderBy: { id: "asc" },
        take: query.limit + 1,
      });
      const p = pageOf(rows, query.limit);
      return { items: p.items.map((r) => projectView(r, actor)), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "post",
    path: "/api/orgs/:orgId/projects",
    tag: "projects",
    summary: "Create a project (Org Admins)",
    params: z.strictObject({ orgId: id }),
    body: createBody,
    status: 201,
    response: projectSchema,
    async handler({ actor, params, body, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      return projectView(await createProject(deps, actor, params.orgId, body), actor);
    },
  });

  api.add({
    method: "get",
    path: "/api/projects/:projectId",
    tag: "projects",
    summary: "Read a project",
    params: projectParams,
    response: projectSchema,
    async handler({ actor, params, deps }) {
      return projectView(await loadProject(deps, actor, params.projectId, "project.read"), actor);
    },
  });

  api.add({
    method: "patch",
    path: "/api/projects/:projectId",
    tag: "projects",
    summary: "Edit a project's name and description (Owners and Org Admins)",
    params: projectParams,
    body: patchBody,
    response: projectSchema,
    async handler({ actor, params, body, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.write");
      return projectView(await updateProject(deps, actor, project, body), actor);
    },
  });

  api.add({
    method: "post",
    path: "/api/projects/:projectId/archive",
    tag: "projects",
    summary: "Archive a project (Org Admins): its queues close, its data stays",
    params: projectParams,
    response: projectSchema,
    async handler({ actor, params, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.manage");
      return projectView(await archiveProject(deps, actor, project, "archived"), actor);
    },
  });

  api.add({
    method: "post",
    path: "/api/projects/:projectId/restore",
    tag: "projects",
    summary: "Bring an archived project back (Org Admins)",
    params: projectParams,
    response: projectSchema,
    async handler({ actor, params, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.manage");
      return projectView(await archiveProject(deps, actor, project, "active"), actor);
    },
  });

  api.add({
    method: "delete",
    path: "/api/projects/:projectId",
    tag: "projects",
    summary: "Delete a project and everything in it (Org Admins)",
    params: projectParams,
    status: 204,
    async handler({ actor, params, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.manage");
      await deleteProject(deps, actor, project);
    },
  });
}
