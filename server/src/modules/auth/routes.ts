import { z } from "zod";
import { hashPassword, verifyPassword } from "../../auth/passwords";
import { invalidRequest, unauthenticated } from "../../http/errors";
import type { Api } from "../../http/route";
import { LoginLimiter } from "../../http/rate-limit";
import type { Deps } from "../../deps";
import { hashInvitationToken } from "../people/service";
import { registerAccountRoutes } from "./account-routes";
import { PASSWORD_HINT, PASSWORD_MIN } from "./password-rules";
import { registerResetRoutes } from "./reset-routes";
import { sessionOf } from "./session";
import { userSchema } from "./view";

const loginBody = z.strictObject({ email: z.string().email().max(254), password: z.string().min(1).max(1024) });
const acceptBody = z.strictObject({
  token: z.string().min(10).max(200),
  /** A new account's new password (8 or more characters), or an existing account's own. */
  password: z.string().min(1).max(1024),
  name: z.string().trim().min(1).max(200).optional(),
});
const session = z.object({ token: z.string(), user: userSchema });

export function registerAuthRoutes(api: Api, deps: Deps, limits: { loginPerAddressPerMinute?: number; rateLimitPrefix?: string } = {}) {
  const limiter = new LoginLimiter(deps, limits.loginPerAddressPerMinute, limits.rateLimitPrefix);
  // The same limiter checks the current password of a change: one budget per email.
  registerAccountRoutes(api, limiter);
  registerResetRoutes(api);

  api.add({
    method: "post",
    path: "/api/auth/login",
    tag: "auth",
    summary: "Sign in with email and password; returns a JWT valid for 12 hours",
    auth: "none",
    body: loginBody,
    response: session,
    async handler({ body, deps, req }) {
      const email = body.email.toLowerCase();
      await limiter.check(email, req.ip ?? "unknown");
      const user = await deps.db.user.findUnique({ where: { email } });
      if (!(await verifyPassword(user?.passwordHash, body.password)) || !user) {
        throw unauthenticated("Email or password is not right.");
      }
      await limiter.succeeded(email);
      return sessionOf(deps, user);
    },
  });

  api.add({
    method: "get",
    path: "/api/auth/invitations/:token",
    tag: "auth",
    summary: "What an invitation link is for (the link holder only): the organization, the email, and whether that account exists already",
    auth: "none",
    params: z.strictObject({ token: acceptBody.shape.token }),
    response: z.object({ orgName: z.string(), email: z.string(), hasAccount: z.boolean(), expiresAt: z.string() }),
    async handler({ params, deps }) {
      const inv = await liveInvitation(deps, params.token);
      const [org, user] = await Promise.all([
        deps.db.organization.findUniqueOrThrow({ where: { id: inv.orgId }, select: { name: true } }),
        deps.db.user.findUniqueOrThrow({ where: { id: inv.userId }, select: { email: true, passwordHash: true } }),
      ]);
      // hasAccount tells the link holder nothing accepting would not (a new account takes any password,
      // an existing one only its own), and it lets the page ask for the right one: a new password twice,
      // or the account's own once (a password manager then fills the saved one instead of making a new one).
      return { orgName: org.name, email: user.email, hasAccount: !!user.passwordHash, expiresAt: inv.expiresAt.toISOString() };
    },
  });

  api.add({
    method: "post",
    path: "/api/auth/accept-invite",
    tag: "auth",
    summary:
      "Accept an invitation (single-use token) and get a session: a new account sets its password (and name); an existing account " +
      "gives its own password, which is checked and rate limited like a sign-in. Only then does the organization's role take effect.",
    auth: "none",
    body: acceptBody,
    response: session,
    async handler({ body, deps, req }) {
      const now = deps.clock.now();
      const inv = await liveInvitation(deps, body.token);
      const user = await deps.db.user.findUniqueOrThrow({ where: { id: inv.userId } });
      let passwordHash: string | null = null;
      if (user.passwordHash) {
        // An account already (from another organization): its holder proves it is theirs.
        await limiter.check(user.email, req.ip ?? "unknown");
        if (!(await verifyPassword(user.passwordHash, body.password))) {
          throw unauthenticated("This invitation is for an existing account: enter that account's password.");
        }
        await limiter.succeeded(user.email);
      } else {
        if (body.password.length < PASSWORD_MIN)
          throw invalidRequest(`${PASSWORD_HINT}.`, { issues: [{ in: "body", path: "password", message: PASSWORD_HINT }] });
        passwordHash = await hashPassword(body.password);
      }

      const joined = await deps.db.$transaction(async (tx) => {
        // Conditional updates: of two concurrent accepts only one finds the link unused,
        // and a password set meanwhile (another link of the same person) is not overwritten.
        const used = await tx.invitation.updateMany({ where: { id: inv.id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
        if (used.count !== 1) throw invalidInvitation();
        if (passwordHash) {
          const set = await tx.user.updateMany({ where: { id: user.id, passwordHash: null }, data: { passwordHash, ...(body.name ? { name: body.name } : {}) } });
          if (set.count !== 1) throw invalidRequest("This account got a password meanwhile: open the link again and enter it.");
        }
        await tx.orgMember.updateMany({ where: { orgId: inv.orgId, userId: user.id, joinedAt: null }, data: { joinedAt: now } });
        return tx.user.findUniqueOrThrow({ where: { id: user.id } });
      });
      deps.bus.publish({ type: "org.people_changed", orgId: inv.orgId, userId: user.id });
      return sessionOf(deps, joined);
    },
  });
}

const invalidInvitation = () => invalidRequest("This invitation link is not valid, was already used, or has expired.");

async function liveInvitation(deps: Deps, token: string) {
  const inv = await deps.db.invitation.findUnique({ where: { tokenHash: hashInvitationToken(token) } });
  if (!inv || inv.usedAt || inv.expiresAt <= deps.clock.now()) throw invalidInvitation();
  return inv;
}
