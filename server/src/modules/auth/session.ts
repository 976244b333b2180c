// A session is a login token of the user's current session version. Ending sessions
// bumps the version: every token issued before stops working (authenticate.ts), and the
// caller publishes `user.sessions_ended` after the commit so live sockets close too.
import { signToken, MAX_TTL_SECONDS } from "../../auth/jwt";
import type { Deps } from "../../deps";
import type { Tx } from "../../infra/prisma";
import { userView } from "./view";

export function sessionOf(deps: Deps, user: { id: string; email: string; name: string; sessionVersion: number }) {
  return { token: signToken(deps.jwtSecret, user.id, deps.clock, MAX_TTL_SECONDS, user.sessionVersion), user: userView(user) };
}

/**
 * Ends every session of the user and sets the new password hash, when given, in the
 * caller's transaction; with `ifPasswordHash`, only while that is still the password
 * (two changes at once: the second finds it changed). Reset links not used yet die
 * too: whoever ends their sessions (e.g. after a leak) ends what could open a new one.
 * Returns the user with the new version, or null when the condition did not hold.
 */
export async function endSessions(tx: Tx, userId: string, change: { passwordHash?: string; ifPasswordHash?: string } = {}) {
  const set = await tx.user.updateMany({
    where: { id: userId, ...(change.ifPasswordHash ? { passwordHash: change.ifPasswordHash } : {}) },
    data: { sessionVersion: { increment: 1 }, ...(change.passwordHash ? { passwordHash: change.passwordHash } : {}) },
  });
  if (set.count !== 1) return null;
  await tx.passwordReset.deleteMany({ where: { userId, usedAt: null } });
  return tx.user.findUniqueOrThrow({ where: { id: userId } });
}

export const sessionsEnded = (user: { id: string; sessionVersion: number }) =>
  ({ type: "user.sessions_ended", userId: user.id, sessionVersion: user.sessionVersion }) as const;
