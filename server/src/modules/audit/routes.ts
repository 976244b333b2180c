import { z } from "zod";
import { afterCursor, keysetOrder, keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import { loadOrg } from "../load";
import { auditEntrySchema, auditEntryView } from "./view";

const query = listQuery.extend({
  action: z
    .string()
    .max(100)
    .optional()
    .describe("An action (project.create), or what it starts with up to a dot (project: every project.* action)"),
  resourceType: z.string().max(100).optional(),
  resourceId: z.string().max(200).optional(),
  actorUserId: id.optional(),
});

export function registerAuditRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/orgs/:orgId/audit-log",
    tag: "audit",
    summary: "The organization's audit log, newest first: who did what, when, before and after (never secrets)",
    params: z.strictObject({ orgId: id }),
    query,
    response: page(auditEntrySchema),
    async handler({ actor, params, query, deps }) {
      await loadOrg(deps, actor, params.orgId, "org.manage");
      const rows = await deps.db.auditEntry.findMany({
        where: {
          orgId: params.orgId,
          ...(query.action ? { OR: [{ action: query.action }, { action: { startsWith: `${query.action}.` } }] } : {}),
          ...(query.resourceType ? { resourceType: query.resourceType } : {}),
          ...(query.resourceId ? { resourceId: query.resourceId } : {}),
          ...(query.actorUserId ? { actorUserId: query.actorUserId } : {}),
          ...afterCursor("createdAt", "desc", query.cursor),
        },
        orderBy: keysetOrder("createdAt", "desc"),
        take: query.limit + 1,
      });
      const p = keysetPage(rows, query.limit, "createdAt");
      const userIds = [...new Set(p.items.map((e) => e.actorUserId).filter((u): u is string => !!u))];
      const users = await deps.db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } });
      const names = new Map(users.map((u) => [u.id, u.name]));
      return { items: p.items.map((e) => auditEntryView(e, names)), nextCursor: p.nextCursor };
    },
  });
}
