import { z } from "zod";
import { signToken } from "../../auth/jwt";
import { hashPassword, verifyPassword } from "../../auth/passwords";
import { invalidRequest, unauthenticated } from "../../http/errors";
import type { Api } from "../../http/route";
import { LoginLimiter } from "../../http/rate-limit";
import type { Deps } from "../../deps";
import { hashInvitationToken } from "../people/service";
import { userView, userSchema } from "./view";

const loginBody = z.strictObject({ email: z.string().email().max(254), password: z.string().min(1).max(1024) });
const acceptBody = z.strictObject({
  token: z.string().min(10).max(200),
  password: z.string().min(8, "Use at least 8 characters").max(1024),
  name: z.string().trim().min(1).max(200).optional(),
});
const session = z.object({ token: z.string(), user: userSchema });

export function registerAuthRoutes(api: Api, deps: Deps, limits: { loginPerAddressPerMinute?: number; rateLimitPrefix?: string } = {}) {
  const limiter = new LoginLimiter(deps, limits.loginPerAddressPerMinute, limits.rateLimitPrefix);

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
        await limiter.failed(email);
        throw unauthenticated("Email or password is not right.");
      }
      await limiter.succeeded(email);
      return { token: signToken(deps.jwtSecret, user.id, deps.clock), user: userView(user) };
    },
  });

  api.add({
    method: "post",
    path: "/api/auth/accept-invite",
    tag: "auth",
    summary: "Accept an invitation: set a password (single-use token), get a session",
    auth: "none",
    body: acceptBody,
    response: session,
    async handler({ body, deps }) {
      const now = deps.clock.now();
      const hash = hashInvitationToken(body.token);
      const passwordHash = await hashPassword(body.password);
      const user = await deps.db.$transaction(async (tx) => {
        // Conditional update: of two concurrent accepts only one finds it unused.
        const used = await tx.invitation.updateMany({
          where: { tokenHash: hash, usedAt: null, expiresAt: { gt: now } },
          data: { usedAt: now },
        });
        if (used.count !== 1) throw invalidRequest("This invitation link is not valid, was already used, or has expired.");
        const inv = await tx.invitation.findUniqueOrThrow({ where: { tokenHash: hash } });
        return tx.user.update({
          where: { id: inv.userId },
          data: { passwordHash, ...(body.name ? { name: body.name } : {}) },
        });
      });
      return { token: signToken(deps.jwtSecret, user.id, deps.clock), user: userView(user) };
    },
  });
}
