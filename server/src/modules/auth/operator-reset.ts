// The operator's password reset (npm run user:reset-password): for anyone, e.g. the only
// Org Admin, or a person in organizations no one admin manages. Sets the password (a
// generated one unless given) and ends every session; it runs outside the server, so the
// servers learn it from PostgreSQL: the actor_changed trigger announces it (migration user_session_version) (HTTP
// refuses old tokens at once) and live sockets close at the next resync.
import { randomBytes } from "node:crypto";
import { hashPassword } from "../../auth/passwords";
import type { Db } from "../../infra/prisma";
import { recordAudit } from "../audit/record";
import { endSessions } from "./session";

export async function operatorResetPassword(db: Db, email: string, password?: string) {
  const generated = password ? null : randomBytes(12).toString("base64url");
  const passwordHash = await hashPassword(password ?? generated!);
  return db.$transaction(async (tx) => {
    const found = await tx.user.findUnique({ where: { email: email.toLowerCase() }, include: { orgs: { where: { joinedAt: { not: null } } } } });
    if (!found) return null;
    const user = (await endSessions(tx, found.id, { passwordHash }))!;
    for (const m of found.orgs)
      await recordAudit(tx, { userId: null }, { orgId: m.orgId, action: "account.password_reset", resourceType: "user", resourceId: user.id, after: { by: "operator" } });
    return { user, generatedPassword: generated };
  });
}
