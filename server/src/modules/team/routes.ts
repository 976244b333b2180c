import { z } from "zod";
import { id, type Api } from "../../http/route";
import { loadProject } from "../load";
import { addMember, memberView, removeMember, updateMember } from "./service";

const role = z.enum(["owner", "viewer", "contributor"]);
const addBody = z
  .strictObject({
    userId: id.optional(),
    email: z.string().email().max(254).optional(),
    role,
    contributorTypeId: id.nullish(),
  })
  .refine((b) => !!b.userId !== !!b.email, { message: "Give exactly one of userId or email", path: ["userId"] });
const patchBody = z.strictObject({ role: role.optional(), contributorTypeId: id.nullish() });
export const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role,
  contributorType: z.object({ id: z.string(), name: z.string() }).nullable(),
  createdAt: z.string(),
});
const projectParams = z.strictObject({ projectId: id });
const memberParams = z.strictObject({ projectId: id, userId: id });

export function registerTeamRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/members",
    tag: "team",
    summary: "The project's team: each member's role and contributor type",
    params: projectParams,
    response: z.object({ items: z.array(memberSchema), nextCursor: z.null() }),
    async handler({ actor, params, deps }) {
      await loadProject(deps, actor, params.projectId, "project.inspect");
      const rows = await deps.db.projectMember.findMany({
        where: { projectId: params.projectId },
        include: { user: true, contributorType: true },
        orderBy: { user: { name: "asc" } },
      });
      return { items: rows.map(memberView), nextCursor: null };
    },
  });

  api.add({
    method: "post",
    path: "/api/projects/:projectId/members",
    tag: "team",
    summary: "Add a person of the organization to the project with a role (and type, for contributors)",
    params: projectParams,
    body: addBody,
    status: 201,
    response: memberSchema,
    async handler({ actor, params, body, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.write");
      return memberView(await addMember(deps, actor, project, body));
    },
  });

  api.add({
    method: "patch",
    path: "/api/projects/:projectId/members/:userId",
    tag: "team",
    summary: "Change a member's role or contributor type",
    params: memberParams,
    body: patchBody,
    response: memberSchema,
    async handler({ actor, params, body, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.write");
      return memberView(await updateMember(deps, actor, project, params.userId, body));
    },
  });

  api.add({
    method: "delete",
    path: "/api/projects/:projectId/members/:userId",
    tag: "team",
    summary: "Remove a member from the project",
    params: memberParams,
    status: 204,
    async handler({ actor, params, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.write");
      await removeMember(deps, actor, project, params.userId);
    },
  });
}
