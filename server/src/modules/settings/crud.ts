// One helper registers the five routes every org settings item has:
// GET|POST /api/orgs/:orgId/<item> and GET|PATCH|DELETE /api/orgs/:orgId/<item>/:id.
// Org Admins only (org.manage); another org's item answers 404.
import { z } from "zod";
import { id, listQuery, page, type Api } from "../../http/route";
import { afterCursor, keysetOrder, keysetPage } from "../../http/keyset";
import { loadOrg } from "../load";
import type { OrgItem, OrgRow } from "./item";
import { createItem, deleteItem, findItem, updateItem } from "./service";

const orgParams = z.strictObject({ orgId: id });
const itemParams = z.strictObject({ orgId: id, id });

export function registerOrgItem<Row extends OrgRow, C, P, V>(api: Api, item: OrgItem<Row, C, P, V>) {
  const base = `/api/orgs/:orgId/${item.path}`;
  const tag = "org settings";

  api.add({
    method: "get",
    path: base,
    tag,
    summary: `List the organization's ${item.path.replace(/-/g, " ")} (Org Admins)`,
    params: orgParams,
    query: listQuery,
    response: page(item.schema),
    async handler({ actor, params, query, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      const rows = await item.table(deps.db).findMany({
        where: { orgId: params.orgId, ...afterCursor("createdAt", "asc", query.cursor) },
        orderBy: keysetOrder("createdAt", "asc"),
        take: query.limit + 1,
      });
      const p = keysetPage(rows, query.limit, "createdAt");
      return { items: p.items.map(item.view), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "post",
    path: base,
    tag,
    summary: item.summaries?.create ?? `Create a ${item.noun} (Org Admins)`,
    params: orgParams,
    body: item.createBody,
    status: 201,
    response: item.schema,
    async handler({ actor, params, body, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      return item.view(await createItem(deps, actor, item, params.orgId, body));
    },
  });

  api.add({
    method: "get",
    path: `${base}/:id`,
    tag,
    summary: `Read a ${item.noun} (Org Admins)`,
    params: itemParams,
    response: item.schema,
    async handler({ actor, params, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      return item.view(await findItem(deps.db, item, params.orgId, params.id));
    },
  });

  api.add({
    method: "patch",
    path: `${base}/:id`,
    tag,
    summary: item.summaries?.update ?? `Edit a ${item.noun} (Org Admins)`,
    params: itemParams,
    body: item.patchBody,
    response: item.schema,
    async handler({ actor, params, body, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      return item.view(await updateItem(deps, actor, item, params.orgId, params.id, body));
    },
  });

  api.add({
    method: "delete",
    path: `${base}/:id`,
    tag,
    summary: item.summaries?.delete ?? `Delete a ${item.noun} (Org Admins)`,
    params: itemParams,
    status: 204,
    async handler({ actor, params, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      await deleteItem(deps, actor, item, params.orgId, params.id);
    },
  });
}
