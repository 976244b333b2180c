import { z } from "zod";
import { id, listQuery, page, type Api } from "../../http/route";
import { userSchema, userView } from "../auth/view";
import { loadOrg } from "../load";
import { createResetLink } from "./password-reset";
import { invitePerson, listPeople, removePerson, updatePerson } from "./service";

const grant = z.strictObject({
  projectId: id,
  role: z.enum(["owner", "viewer", "contributor"]),
  contributorTypeId: id.nullish(),
});
const inviteBody = z.strictObject({
  email: z.string().email().max(254),
  name: z.string().trim().min(1).max(200).optional(),
  orgRole: z.enum(["admin", "member"]).default("member"),
  projects: z.array(grant).max(500).default([]),
});
const patchBody = z.strictObject({
  orgRole: z.enum(["admin", "member"]).optional(),
  projects: z.array(grant).max(500).optional(),
});
const person = z.object({
  user: userSchema,
  orgRole: z.enum(["admin", "member"]),
  status: z.enum(["active", "invited"]),
  projects: z.array(z.object({ projectId: z.string(), role: z.string(), contributorTypeId: z.string().nullable() })),
});
const orgParams = z.strictObject({ orgId: id });
const personParams = z.strictObject({ orgId: id, userId: id });

export function registerPeopleRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/orgs/:orgId/people",
    tag: "people",
    summary: "List the organization's people with their org role and project roles",
    params: orgParams,
    query: listQuery,
    response: page(person),
    async handler({ actor, params, query, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      return listPeople(deps.db, params.orgId, query.limit, query.cursor);
    },
  });

  api.add({
    method: "post",
    path: "/api/orgs/:orgId/people",
    tag: "people",
    summary:
      "Invite a person: they are listed as invited, with no rights in the organization until they accept the single-use link " +
      "returned here (hand it on). Whether the email already has an account is not told; that account's holder accepts with their own password. " +
      "Inviting someone still invited replaces their role, projects and link. A signed-in Org Admin, not an API key.",
    params: orgParams,
    body: inviteBody,
    status: 201,
    response: z.object({
      user: userSchema,
      invitation: z.object({ token: z.string(), url: z.string(), expiresAt: z.string() }),
    }),
    async handler({ actor, params, body, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.grant");
      const { user, invitation } = await invitePerson(deps, actor, params.orgId, {
        ...body,
        projects: body.projects,
      });
      return { user: userView(user), invitation };
    },
  });

  api.add({
    method: "patch",
    path: "/api/orgs/:orgId/people/:userId",
    tag: "people",
    summary: "Change a person's org role and/or replace their project roles in this org (a signed-in Org Admin, not an API key); claims and reserved work they lose standing for are freed",
    params: personParams,
    body: patchBody,
    response: person,
    async handler({ actor, params, body, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.grant");
      return updatePerson(deps, actor, params.orgId, params.userId, body);
    },
  });

  api.add({
    method: "post",
    path: "/api/orgs/:orgId/people/:userId/password-reset",
    tag: "people",
    summary:
      "Make a one-time password reset link for a person who forgot theirs (answered once: hand it on; valid 24 hours, a new one replaces it). " +
      "A signed-in Org Admin, not an API key, of every organization the person is in (else 403 reset_not_allowed), never for themselves.",
    params: personParams,
    status: 201,
    response: z.object({ user: userSchema, reset: z.object({ token: z.string(), url: z.string(), expiresAt: z.string() }) }),
    async handler({ actor, params, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.grant");
      const { user, reset } = await createResetLink(deps, actor, params.orgId, params.userId);
      return { user: userView(user), reset };
    },
  });

  api.add({
    method: "delete",
    path: "/api/orgs/:orgId/people/:userId",
    tag: "people",
    summary: "Remove a person from the organization and all its projects: their live claims are revoked and the tasks kept for them reopen",
    params: personParams,
    status: 204,
    async handler({ actor, params, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      await removePerson(deps, actor, params.orgId, params.userId);
    },
  });
}

