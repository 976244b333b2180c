// The signed-in person's own account: change the password, sign out everywhere. Both end
// every session (the version in the login tokens moves on: session.ts); a password
// change answers a fresh token for the session that asked. A person signed in only: an
// API key acts for an Org Admin, it is not them.
import { z } from "zod";
import type { Actor } from "../../access/actor";
import { can } from "../../access/authorize";
import { hashPassword, verifyPassword } from "../../auth/passwords";
import { AppError, conflict, forbidden } from "../../http/errors";
import type { LoginLimiter } from "../../http/rate-limit";
import type { Api } from "../../http/route";
import type { Tx } from "../../infra/prisma";
import { recordAudit } from "../audit/record";
import { givenPassword, newPassword } from "./password-rules";
import { endSessions, sessionOf, sessionsEnded } from "./session";
import { userSchema } from "./view";

const changeBody = z.strictObject({ currentPassword: givenPassword, newPassword });

function ownAccount(actor: Actor): void {
  if (!can(actor, "account.manage", { userId: actor.userId }))
    throw forbidden("An API key cannot change a password or end sessions: sign in as the person.");
}

const wrongPassword = () =>
  new AppError(400, "wrong_password", "The current password is not right; nothing was changed.", {
    issues: [{ in: "body", path: "currentPassword", message: "This is not your current password" }],
  });

/** One entry in each org the person has joined (an account belongs to no one org); never a password. */
async function auditAccount(tx: Tx, actor: Actor, action: string): Promise<void> {
  for (const orgId of actor.orgs.keys()) await recordAudit(tx, actor, { orgId, action, resourceType: "user", resourceId: actor.userId });
}

export function registerAccountRoutes(api: Api, limiter: LoginLimiter): void {
  api.add({
    method: "post",
    path: "/api/me/password",
    tag: "me",
    summary:
      "Change your password: the current one is checked (rate limited like a sign-in; wrong: 400 wrong_password, nothing changed), " +
      "then every other session ends and the answer is a fresh token for this one. A signed-in person, not an API key.",
    body: changeBody,
    response: z.object({ token: z.string(), user: userSchema }),
    async handler({ actor, body, deps, req }) {
      ownAccount(actor);
      // The sign-in's per-email budget: this cannot be used to guess the password either.
      await limiter.check(actor.email, req.ip ?? "unknown");
      const user = await deps.db.user.findUniqueOrThrow({ where: { id: actor.userId } });
      if (!user.passwordHash || !(await verifyPassword(user.passwordHash, body.currentPassword))) throw wrongPassword();
      await limiter.succeeded(actor.email);
      const passwordHash = await hashPassword(body.newPassword);
      const changed = await deps.db.$transaction(async (tx) => {
        // Only over the password just checked: of two changes at once, the second is told.
        const u = await endSessions(tx, user.id, { passwordHash, ifPasswordHash: user.passwordHash! });
        if (!u) throw conflict("password_changed", "Your password was changed meanwhile: sign in again with the new one.");
        await auditAccount(tx, actor, "account.password_change");
        return u;
      });
      deps.bus.publish(sessionsEnded(changed));
      return sessionOf(deps, changed);
    },
  });

  api.add({
    method: "post",
    path: "/api/me/sign-out-everywhere",
    tag: "me",
    summary:
      "End every session of your account, this one included: every login token issued so far stops working and live connections close. " +
      "Unused password reset links die too. API keys are not affected (revoke those). A signed-in person, not an API key.",
    body: z.strictObject({}),
    status: 204,
    async handler({ actor, deps }) {
      ownAccount(actor);
      const ended = await deps.db.$transaction(async (tx) => {
        const u = await endSessions(tx, actor.userId);
        await auditAccount(tx, actor, "account.sign_out_everywhere");
        return u!;
      });
      deps.bus.publish(sessionsEnded(ended));
    },
  });
}
