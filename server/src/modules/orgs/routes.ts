import { z } from "zod";
import { id, type Api } from "../../http/route";
import { loadOrg } from "../load";

const orgSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), role: z.enum(["admin", "member"]) });

export function registerOrgRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/orgs/:orgId",
    tag: "orgs",
    summary: "Read an organization you belong to",
    params: z.strictObject({ orgId: id }),
    response: orgSchema,
    async handler({ actor, params, deps }) {
      const org = await loadOrg(deps, actor, params.orgId, "org.read");
      return { id: org.id, name: org.name, createdAt: org.createdAt.toISOString(), role: actor.orgs.get(org.id)! };
    },
  });
}
