// API keys: made by an Org Admin (an org key then acts with that admin's current
// rights, limited to this org) or, for one project, by its Owners (a project key acts
// only there, for its permissions: access/scope.ts); shown once, stored as a hash, revoked at once.
import type { Actor } from "../../access/actor";
import type { KeyPermission } from "../../access/scope";
import { generateApiKey } from "../../auth/api-keys";
import type { Deps } from "../../deps";
import { notFound } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { recordAudit } from "../audit/record";
import { makerMustStand } from "./makers";

/** A key of the org; with `projectId`, only one of that project's keys. */
export async function findKey(db: Tx, orgId: string, id: string, projectId?: string) {
  const k = await db.apiKey.findFirst({ where: { id, orgId, ...(projectId ? { projectId } : {}) } });
  if (!k) throw notFound("API key");
  return k;
}

export type NewKeyScope = { projectId: string; permissions: KeyPermission[] } | null;

export async function createApiKey(deps: Deps, actor: Actor, orgId: string, name: string, project: NewKeyScope = null) {
  const g = generateApiKey();
  const scope = project
    ? { scope: "project", projectId: project.projectId, permissions: [...new Set(project.permissions)].sort() }
    : { scope: "org", projectId: null, permissions: [] };
  const row = await deps.db.$transaction(async (tx) => {
    // Their removal under way waits for this key (and revokes it) or has committed (refused): ./makers.ts.
    await makerMustStand(tx, orgId, actor.userId, project?.projectId ?? null);
    const row = await tx.apiKey.create({ data: { orgId, name, prefix: g.prefix, hash: g.hash, createdById: actor.userId, ...scope } });
    await recordAudit(tx, actor, { orgId, action: "api_key.create", resourceType: "api_key", resourceId: row.id, after: { name, prefix: g.prefix, ...scope } });
    return row;
  });
  return { row, key: g.key };
}

export async function renameApiKey(deps: Deps, actor: Actor, orgId: string, id: string, name: string) {
  return deps.db.$transaction(async (tx) => {
    const before = await findKey(tx, orgId, id);
    const row = await tx.apiKey.update({ where: { id }, data: { name } });
    await recordAudit(tx, actor, { orgId, action: "api_key.update", resourceType: "api_key", resourceId: id, before: { name: before.name }, after: { name } });
    return row;
  });
}

/**
 * Revoking is immediate: authentication reads revokedAt on every request. Revoking twice
 * changes nothing, even at once: only the update that finds the key live writes and audits.
 */
export async function revokeApiKey(deps: Deps, actor: Actor, orgId: string, id: string, projectId?: string) {
  await deps.db.$transaction(async (tx) => {
    const before = await findKey(tx, orgId, id, projectId);
    if (before.revokedAt) return;
    const revokedAt = deps.clock.now();
    const { count } = await tx.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt } });
    if (count === 0) return;
    await recordAudit(tx, actor, { orgId, action: "api_key.revoke", resourceType: "api_key", resourceId: id, before: { name: before.name, prefix: before.prefix }, after: { revokedAt } });
  });
}
