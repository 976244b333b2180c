// Password reset links: an Org Admin makes a one-time link for a person who forgot their
// password (no mail server: the admin hands it on, like an invitation). Stored hashed,
// valid 24 h, single use; using it sets the password and ends every session. Only for an
// account whose every org the admin manages (else an Org Admin of one org could take over
// an account that opens another), checked when the link is made and again when it is used:
// the person may have joined another org meanwhile.
import { createHash, randomBytes } from "node:crypto";
import { loadActor, type Actor } from "../../access/actor";
import { can } from "../../access/authorize";
import { hashPassword } from "../../auth/passwords";
import type { Deps } from "../../deps";
import { conflict, forbidden, invalidRequest, notFound } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { recordAudit } from "../audit/record";
import { endSessions, sessionOf, sessionsEnded } from "../auth/session";

export const PASSWORD_RESET_TTL_MS = 24 * 3600 * 1000;

// A hash of its own (and a table of its own): an invitation's token never opens a reset, nor the reverse.
export const hashResetToken = (token: string) => createHash("sha256").update(`password-reset:${token}`).digest("hex");

const notAllowed = (message: string) => forbidden(message, "reset_not_allowed");
const invalidReset = () => invalidRequest("This password reset link is not valid, was already used, or has expired. Ask your admin for a new one.");

/** Every org the person is in, joined or invited. */
const orgsOf = async (tx: Tx, userId: string) => (await tx.orgMember.findMany({ where: { userId }, select: { orgId: true } })).map((m) => m.orgId);

export async function createResetLink(deps: Deps, actor: Actor, orgId: string, userId: string) {
  if (userId === actor.userId) throw notAllowed("Change your own password from your account menu, not with a reset link.");
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const member = await tx.orgMember.findUnique({ where: { orgId_userId: { orgId, userId } }, include: { user: true } });
    if (!member) throw notFound("person");
    if (!member.joinedAt || !member.user.passwordHash)
      throw conflict("person_invited", "This person has not accepted their invitation yet: hand on their invitation link instead.");
    if (!can(actor, "account.reset", { userId, orgIds: await orgsOf(tx, userId) }))
      throw notAllowed("This person also belongs to an organization where you are not an Org Admin: an Org Admin of each, or the operator, can reset it.");
    // One live link per person: a new one replaces the last.
    await tx.passwordReset.deleteMany({ where: { userId, usedAt: null } });
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_MS);
    await tx.passwordReset.create({ data: { orgId, userId, tokenHash: hashResetToken(token), expiresAt, createdById: actor.userId } });
    await recordAudit(tx, actor, { orgId, action: "account.reset_link", resourceType: "user", resourceId: userId, after: { expiresAt } });
    const base = deps.config.PUBLIC_URL ?? "";
    return { user: member.user, reset: { token, url: `${base}/reset-password?token=${token}`, expiresAt: expiresAt.toISOString() } };
  });
}

/** The link's maker must still be an Org Admin of every org the person is in now. */
async function assertStillAllowed(deps: Deps, tx: Tx, reset: { userId: string; createdById: string }) {
  const maker = await loadActor(deps.db, reset.createdById, undefined, { fresh: true });
  if (!maker || !can(maker, "account.reset", { userId: reset.userId, orgIds: await orgsOf(tx, reset.userId) }))
    throw notAllowed("This link no longer works: the account now belongs to an organization its maker does not manage. Ask for a new link.");
}

export async function liveReset(deps: Deps, token: string) {
  const reset = await deps.db.passwordReset.findUnique({ where: { tokenHash: hashResetToken(token) }, include: { user: true } });
  if (!reset || reset.usedAt || reset.expiresAt <= deps.clock.now()) throw invalidReset();
  await assertStillAllowed(deps, deps.db, reset);
  return reset;
}

/** Sets the password and ends every session; of two uses at once, one wins (a conditional update). */
export async function useResetLink(deps: Deps, token: string, password: string) {
  const reset = await liveReset(deps, token);
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const user = await deps.db.$transaction(async (tx) => {
    const used = await tx.passwordReset.updateMany({ where: { id: reset.id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (used.count !== 1) throw invalidReset();
    await assertStillAllowed(deps, tx, reset);
    const u = await endSessions(tx, reset.userId, { passwordHash });
    if (!u) throw invalidReset();
    // The link's holder acted as the account (they hold its new password now).
    await recordAudit(tx, { userId: reset.userId }, {
      orgId: reset.orgId, action: "account.password_reset", resourceType: "user", resourceId: reset.userId, after: { by: "link", linkMadeBy: reset.createdById },
    });
    return u;
  });
  deps.bus.publish(sessionsEnded(user));
  return sessionOf(deps, user);
}
