import { z } from "zod";
import type { Deps } from "../../deps";
import { afterCursor, keysetOrder, keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import { loadOrg } from "../load";
import { createApiKey, findKey, renameApiKey, revokeApiKey } from "./service";
import { apiKeySchema, apiKeyView, createdApiKeySchema } from "./view";

const orgParams = z.strictObject({ orgId: id });
const keyParams = z.strictObject({ orgId: id, id });
export const keyName = z.string().trim().min(1).max(200);
const body = z.strictObject({ name: keyName });
export const keysQuery = listQuery.extend({ revoked: z.enum(["true", "false"]).optional() });
const tag = "api keys";

/** A page of keys, newest first; `revoked` keeps only live or only revoked ones. */
export async function listKeys(deps: Deps, where: { orgId: string } | { projectId: string }, query: z.infer<typeof keysQuery>) {
  const revoked = query.revoked === undefined ? {} : { revokedAt: query.revoked === "true" ? { not: null } : null };
  const rows = await deps.db.apiKey.findMany({
    where: { ...where, ...revoked, ...afterCursor("createdAt", "desc", query.cursor) },
    orderBy: keysetOrder("createdAt", "desc"),
    take: query.limit + 1,
  });
  const p = keysetPage(rows, query.limit, "createdAt");
  return { items: p.items.map(apiKeyView), nextCursor: p.nextCursor };
}

export function registerApiKeyRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/orgs/:orgId/api-keys",
    tag,
    summary: "List the org's API keys, org and project ones, with their scope: prefix, name, created, last used, revoked (never the key)",
    params: orgParams,
    query: keysQuery,
    response: page(apiKeySchema),
    async handler({ actor, params, query, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      return listKeys(deps, { orgId: params.orgId }, query);
    },
  });

  api.add({
    method: "post",
    path: "/api/orgs/:orgId/api-keys",
    tag,
    summary:
      "Create an org API key (acts with its maker's rights in the org): the answer carries the key, shown this once only (a signed-in Org Admin; an API key cannot make keys). Project keys: POST /api/projects/{projectId}/api-keys",
    params: orgParams,
    body,
    status: 201,
    response: createdApiKeySchema,
    async handler({ actor, params, body, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.grant");
      const { row, key } = await createApiKey(deps, actor, params.orgId, body.name);
      return { ...apiKeyView(row), key };
    },
  });

  api.add({
    method: "get",
    path: "/api/orgs/:orgId/api-keys/:id",
    tag,
    summary: "Read an API key's prefix, name and use (never the key)",
    params: keyParams,
    response: apiKeySchema,
    async handler({ actor, params, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      return apiKeyView(await findKey(deps.db, params.orgId, params.id));
    },
  });

  api.add({
    method: "patch",
    path: "/api/orgs/:orgId/api-keys/:id",
    tag,
    summary: "Rename an API key (a signed-in Org Admin, not an API key)",
    params: keyParams,
    body,
    response: apiKeySchema,
    async handler({ actor, params, body, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.grant");
      return apiKeyView(await renameApiKey(deps, actor, params.orgId, params.id, body.name));
    },
  });

  api.add({
    method: "delete",
    path: "/api/orgs/:orgId/api-keys/:id",
    tag,
    summary: "Revoke an API key: from now on it answers 401 (a signed-in Org Admin, not an API key)",
    params: keyParams,
    status: 204,
    async handler({ actor, params, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.grant");
      await revokeApiKey(deps, actor, params.orgId, params.id);
    },
  });
}
