// The holder of a password reset link (modules/people/password-reset.ts): see what it is
// for, then set the password. The token is in the path: the request log redacts it (app.ts).
import { z } from "zod";
import type { Api } from "../../http/route";
import { liveReset, useResetLink } from "../people/password-reset";
import { newPassword } from "./password-rules";
import { userSchema } from "./view";

const params = z.strictObject({ token: z.string().min(10).max(200) });

export function registerResetRoutes(api: Api): void {
  api.add({
    method: "get",
    path: "/api/auth/password-resets/:token",
    tag: "auth",
    summary: "What a password reset link is for (the link holder only): the account's email and when the link expires",
    auth: "none",
    params,
    response: z.object({ email: z.string(), expiresAt: z.string() }),
    async handler({ params, deps }) {
      const reset = await liveReset(deps, params.token);
      return { email: reset.user.email, expiresAt: reset.expiresAt.toISOString() };
    },
  });

  api.add({
    method: "post",
    path: "/api/auth/password-resets/:token",
    tag: "auth",
    summary:
      "Use a password reset link (single use, 24 hours): set the account's new password and get a session. Every other session of " +
      "the account ends. Refused (403 reset_not_allowed) once the account belongs to an organization the link's maker does not manage.",
    auth: "none",
    params,
    body: z.strictObject({ password: newPassword }),
    response: z.object({ token: z.string(), user: userSchema }),
    async handler({ params, body, deps }) {
      return useResetLink(deps, params.token, body.password);
    },
  });
}
