import { z } from "zod";
import { decodeCursor, encodeCursor } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
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
    summary: "The project's team: each member's role and contributor type, by name",
    params: projectParams,
    query: listQuery,
    response: page(memberSchema),
    async handler({ actor, params, query, deps }) {
      await loadProject(deps, actor, params.projectId, "project.inspect");
      // Keyset over (name, user id): names repeat, ids break the ties.
      const after = query.cursor ? decodeCursor(query.cursor, "string") : undefined;
      const rows = await deps.db.projectMember.findMany({
        where: {
          projectId: params.projectId,
          ...(after
            ? { OR: [{ user: { name: { gt: after.value as string } } }, { user: { name: after.value as string }, userId: { gt: after.id } }] }
            : {}),
        },
        include: { user: true, contributorType: true },
        orderBy: [{ user: { name: "asc" } }, { userId: "asc" }],
        take: query.limit + 1,
      });
      const more = rows.length > query.limit;
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return { items: items.map(memberView), nextCursor: more && last ? encodeCursor(last.user.name, last.userId) : null };
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
    summary: "Change a member's role or contributor type: claims they lose standing for are revoked, and tasks kept for them at nodes they may no longer work reopen",
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
    summary: "Remove a member from the project: their live claims are revoked and the tasks kept for them reopen",
    params: memberParams,
    status: 204,
    async handler({ actor, params, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.write");
      await removeMember(deps, actor, project, params.userId);
    },
  });
}
