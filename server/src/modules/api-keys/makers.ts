// A key lives no longer than its maker's standing. Authentication already refuses a key
// whose maker left (access/actor.ts), but only while they are gone: coming back would
// bring the key back. So whatever takes someone out of a project or the org revokes, in
// its own transaction, the keys that change killed; and a key is made only while its
// maker still stands, their member rows read FOR SHARE so a removal under way waits for
// the key (and then revokes it) or commits first (and the key is refused).
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { forbidden } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { recordAudit } from "../audit/record";

/**
 * Revokes the person's live keys of this org that no longer authenticate: all of them once
 * they are not a (joined) member, a project key once they are neither an Org Admin nor on
 * its project (the rule of access/actor.ts). One audit entry per key. Call after the change.
 */
export async function revokeKeysOfLeaver(tx: Tx, deps: Deps, actor: Actor, orgId: string, userId: string): Promise<number> {
  const now = deps.clock.now();
  const revoked = await tx.$queryRaw<Array<{ id: string; name: string; prefix: string; scope: string; projectId: string | null }>>`
    UPDATE "ApiKey" k SET "revokedAt" = ${now}
    WHERE k."orgId" = ${orgId} AND k."createdById" = ${userId} AND k."revokedAt" IS NULL
      AND NOT EXISTS (
        SELECT 1 FROM "OrgMember" m
        WHERE m."orgId" = k."orgId" AND m."userId" = k."createdById" AND m."joinedAt" IS NOT NULL
          AND (k.scope <> 'project' OR m.role = 'admin'
            OR EXISTS (SELECT 1 FROM "ProjectMember" p WHERE p."projectId" = k."projectId" AND p."userId" = k."createdById")))
    RETURNING k.id, k.name, k.prefix, k.scope, k."projectId"`;
  for (const k of revoked) {
    await recordAudit(tx, actor, {
      orgId, action: "api_key.revoke", resourceType: "api_key", resourceId: k.id,
      before: { name: k.name, prefix: k.prefix, scope: k.scope, projectId: k.projectId },
      after: { revokedAt: now, reason: "maker_left" },
    });
  }
  return revoked.length;
}

/**
 * Refuses (403) a key whose maker no longer stands where it would act. One row is read
 * FOR SHARE, the one whose change would kill the key: an Org Admin's membership (org keys,
 * and project keys an admin makes), else their project role. One lock only, so no removal
 * (project rows then the org's, or the other way round) can wait on it in a cycle.
 */
export async function makerMustStand(tx: Tx, orgId: string, userId: string, projectId: string | null): Promise<void> {
  const member = (lock: boolean) =>
    lock
      ? tx.$queryRaw<Array<{ role: string }>>`SELECT role FROM "OrgMember" WHERE "orgId" = ${orgId} AND "userId" = ${userId} AND "joinedAt" IS NOT NULL FOR SHARE`
      : tx.$queryRaw<Array<{ role: string }>>`SELECT role FROM "OrgMember" WHERE "orgId" = ${orgId} AND "userId" = ${userId} AND "joinedAt" IS NOT NULL`;
  const [m] = await member(false);
  let stands: boolean;
  if (m && (!projectId || m.role === "admin")) {
    const [locked] = await member(true);
    // An admin demoted meanwhile is refused rather than take a second lock.
    stands = !!locked && (!projectId || locked.role === "admin");
  } else {
    stands = !!m && (await tx.$queryRaw<unknown[]>`SELECT 1 FROM "ProjectMember" WHERE "projectId" = ${projectId} AND "userId" = ${userId} FOR SHARE`).length > 0;
  }
  if (!stands) throw forbidden("You no longer have a role here: the key was not made.");
}
