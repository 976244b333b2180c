import { z } from "zod";
import { id, type Api } from "../../http/route";
import { loadOrg, loadProject } from "../load";
import { readDashboard } from "./service";
import { dashboardQuery, dashboardSchema } from "./view";

export function registerDashboardRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/orgs/:orgId/dashboard",
    tag: "dashboard",
    summary: "The org dashboard (Org Admins): projects, activity, completion, engagement, review quality over a timeframe",
    params: z.strictObject({ orgId: id }),
    query: dashboardQuery,
    response: dashboardSchema,
    async handler({ actor, params, query, deps }) {
      const org = await loadOrg(deps, actor, params.orgId, "org.manage");
      return readDashboard(deps, "org", org.id, query.timeframe);
    },
  });

  api.add({
    method: "get",
    path: "/api/projects/:projectId/dashboard",
    tag: "dashboard",
    summary: "A project's dashboard (Owners, Viewers, Org Admins) over a timeframe",
    params: z.strictObject({ projectId: id }),
    query: dashboardQuery,
    response: dashboardSchema,
    async handler({ actor, params, query, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.inspect");
      return readDashboard(deps, "project", project.id, query.timeframe);
    },
  });
}
