import { z } from "zod";
import type { Api } from "../../http/route";
import { userSchema, userView } from "../auth/view";
import { registerMyFormsRoute } from "./forms";

const meSchema = z.object({
  user: userSchema,
  orgs: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(["admin", "member"]) })),
  projects: z.array(
    z.object({
      id: z.string(),
      orgId: z.string(),
      name: z.string(),
      status: z.string(),
      role: z.enum(["owner", "viewer", "contributor"]),
      contributorType: z.object({ id: z.string(), name: z.string() }).nullable(),
    }),
  ),
  personas: z.array(z.enum(["admin", "contributor"])),
});

export function registerMeRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/me",
    tag: "me",
    summary: "Who am I: orgs, project roles and the personas I may switch between",
    response: meSchema,
    async handler({ actor, deps }) {
      const orgIds = [...actor.orgs.keys()];
      const [orgs, memberships] = await Promise.all([
        deps.db.organization.findMany({ where: { id: { in: orgIds } }, orderBy: { name: "asc" } }),
        deps.db.projectMember.findMany({
          where: { userId: actor.userId, project: { orgId: { in: orgIds } } },
          include: { project: true, contributorType: true },
          orderBy: { project: { name: "asc" } },
        }),
      ]);
      const isAdmin = [...actor.orgs.values()].includes("admin") || memberships.some((m) => m.role !== "contributor");
      const isContributor = memberships.some((m) => m.role === "contributor");
      const personas = [...(isAdmin ? ["admin" as const] : []), ...(isContributor ? ["contributor" as const] : [])];
      const user = await deps.db.user.findUniqueOrThrow({ where: { id: actor.userId } });
      return {
        user: userView(user),
        orgs: orgs.map((o) => ({ id: o.id, name: o.name, role: actor.orgs.get(o.id)! })),
        projects: memberships.map((m) => ({
          id: m.project.id,
          orgId: m.project.orgId,
          name: m.project.name,
          status: m.project.status,
          role: m.role as "owner" | "viewer" | "contributor",
          contributorType: m.contributorType ? { id: m.contributorType.id, name: m.contributorType.name } : null,
        })),
        personas,
      };
    },
  });

  registerMyFormsRoute(api);
}
