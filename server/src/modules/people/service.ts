// Org people: invite (no mail server: the admin hands the link on), change roles, remove.
import { createHash, randomBytes } from "node:crypto";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, invalidRequest, notFound } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { afterFreed, freeWorkOf, lostStanding, type Freed } from "../../queue/leave";
import { shareTypes } from "../contributor-types/lock";
import { shareLock } from "../projects/lock";
import { revokeKeysOfLeaver } from "../api-keys/makers";
import { recordAudit } from "../audit/record";

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export const hashInvitationToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface ProjectGrant {
  projectId: string;
  role: "owner" | "viewer" | "contributor";
  contributorTypeId?: string | null;
}

/** Checks that every grant names a project of this org and a type of that project. */
async function checkGrants(tx: Tx, orgId: string, grants: ProjectGrant[]) {
  const ids = [...new Set(grants.map((g) => g.projectId))];
  if (ids.length !== grants.length) throw invalidRequest("A project appears twice: one role per project.");
  // Shared locks first: a delete of one of them under way commits before the read (projects/lock.ts).
  await shareLock(tx, ids);
  const projects = await tx.project.findMany({ where: { id: { in: ids }, orgId }, select: { id: true } });
  if (projects.length !== ids.length) throw notFound("project");
  for (const g of grants) {
    if (!g.contributorTypeId) continue;
    if (g.role !== "contributor") throw invalidRequest("Only contributors have a contributor type.");
    // FOR SHARE: a delete of the type at the same moment waits for this grant (no foreign-key error).
    if (!(await shareTypes(tx, g.projectId, [g.contributorTypeId])).size) throw notFound("contributor type");
  }
}

/**
 * Shared locks on the projects of this org the person is on (and `more`), taken before any
 * row: a delete of one under way, which clears the claims a change of roles revokes before
 * it deletes the member rows, commits first instead of deadlocking with it (projects/lock.ts).
 */
async function shareTheirProjects(tx: Tx, orgId: string, userId: string, more: string[] = []) {
  const held = await tx.projectMember.findMany({ where: { userId, project: { orgId } }, select: { projectId: true } });
  await shareLock(tx, [...new Set([...held.map((m) => m.projectId), ...more])]);
}

async function setGrants(tx: Tx, userId: string, orgId: string, grants: ProjectGrant[]) {
  await tx.projectMember.deleteMany({ where: { userId, project: { orgId } } });
  if (grants.length)
    await tx.projectMember.createMany({
      data: grants.map((g) => ({ userId, projectId: g.projectId, role: g.role, contributorTypeId: g.contributorTypeId ?? null })),
    });
}

export async function invitePerson(
  deps: Deps,
  actor: Actor,
  orgId: string,
  input: { email: string; name?: string; orgRole: "admin" | "member"; projects: ProjectGrant[] },
) {
  const email = input.email.toLowerCase();
  const now = deps.clock.now();
  const invited = await deps.db.$transaction(async (tx) => {
    await checkGrants(tx, orgId, input.projects);
    let user = await tx.user.findUnique({ where: { email } });
    const member = user && (await tx.orgMember.findUnique({ where: { orgId_userId: { orgId, userId: user.id } } }));
    if (member?.joinedAt) throw conflict("already_member", "This person is already in the organization.");
    // Everyone is invited alike, whether or not they have an account (from
    // another organization): a member with no rights until they accept the link.
    // Inviting someone still invited replaces their role, grants and link.
    user ??= await tx.user.create({ data: { email, name: input.name ?? email.split("@")[0]! } });
    await tx.orgMember.upsert({
      where: { orgId_userId: { orgId, userId: user.id } },
      create: { orgId, userId: user.id, role: input.orgRole, joinedAt: null },
      update: { role: input.orgRole },
    });
    await setGrants(tx, user.id, orgId, input.projects);
    await tx.invitation.deleteMany({ where: { orgId, userId: user.id, usedAt: null } });
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
    await tx.invitation.create({
      data: { orgId, userId: user.id, tokenHash: hashInvitationToken(token), expiresAt, createdById: actor.userId },
    });
    const base = deps.config.PUBLIC_URL ?? "";
    const invitation = { token, url: `${base}/accept-invite?token=${token}`, expiresAt: expiresAt.toISOString() };
    await recordAudit(tx, actor, {
      orgId,
      action: "person.invite",
      resourceType: "user",
      resourceId: user.id,
      after: { email, orgRole: input.orgRole, projects: input.projects },
    });
    return { user, invitation };
  });
  deps.bus.publish({ type: "org.people_changed", orgId, userId: invited.user.id });
  return invited;
}

/** The org must keep at least one admin who has joined. */
async function assertNotLastAdmin(tx: Tx, orgId: string, userId: string) {
  const admins = await tx.orgMember.findMany({ where: { orgId, role: "admin", joinedAt: { not: null } }, select: { userId: true } });
  if (admins.length === 1 && admins[0]!.userId === userId)
    throw conflict("last_admin", "The organization must keep at least one Org Admin.");
}

export async function updatePerson(
  deps: Deps,
  actor: Actor,
  orgId: string,
  userId: string,
  input: { orgRole?: "admin" | "member"; projects?: ProjectGrant[] },
) {
  const { after, freed } = await deps.db.$transaction(async (tx) => {
    if (input.projects) await shareTheirProjects(tx, orgId, userId, input.projects.map((g) => g.projectId));
    const member = await tx.orgMember.findUnique({ where: { orgId_userId: { orgId, userId } } });
    if (!member) throw notFound("person");
    const before = await personSnapshot(tx, orgId, userId);
    if (input.orgRole && input.orgRole !== member.role) {
      if (input.orgRole === "member") await assertNotLastAdmin(tx, orgId, userId);
      await tx.orgMember.update({ where: { orgId_userId: { orgId, userId } }, data: { role: input.orgRole } });
    }
    let freed: Freed | null = null;
    if (input.projects) {
      await checkGrants(tx, orgId, input.projects);
      const held = await tx.projectMember.findMany({ where: { userId, project: { orgId } } });
      await setGrants(tx, userId, orgId, input.projects);
      const lost = lostStanding(held, input.projects.map((g) => ({ ...g, contributorTypeId: g.contributorTypeId ?? null })));
      freed = await freeWorkOf(tx, deps, actor.userId, userId, lost.revoke, lost.reopen, lost.retyped);
    }
    // Keys that died with a project role or the Org Admin role (api-keys/makers.ts).
    await revokeKeysOfLeaver(tx, deps, actor, orgId, userId);
    const after = await personSnapshot(tx, orgId, userId);
    const work = freed && (freed.ended.length || freed.reopened) ? { claimsRevoked: freed.ended.length, tasksReopened: freed.reopened } : {};
    await recordAudit(tx, actor, { orgId, action: "person.update", resourceType: "user", resourceId: userId, before, after: { ...after, ...work } });
    return { after, freed };
  });
  if (freed) await afterFreed(deps, freed);
  deps.bus.publish({ type: "org.people_changed", orgId, userId });
  return after;
}

export async function removePerson(deps: Deps, actor: Actor, orgId: string, userId: string) {
  const freed = await deps.db.$transaction(async (tx) => {
    await shareTheirProjects(tx, orgId, userId);
    const member = await tx.orgMember.findUnique({ where: { orgId_userId: { orgId, userId } } });
    if (!member) throw notFound("person");
    if (member.role === "admin") await assertNotLastAdmin(tx, orgId, userId);
    const before = await personSnapshot(tx, orgId, userId);
    const projects = await tx.projectMember.findMany({ where: { userId, project: { orgId } }, select: { projectId: true } });
    await tx.projectMember.deleteMany({ where: { userId, project: { orgId } } });
    const freed = await freeWorkOf(tx, deps, actor.userId, userId, projects.map((p) => p.projectId));
    await tx.orgMember.delete({ where: { orgId_userId: { orgId, userId } } });
    await tx.invitation.deleteMany({ where: { orgId, userId, usedAt: null } });
    await revokeKeysOfLeaver(tx, deps, actor, orgId, userId); // every key of theirs here
    await recordAudit(tx, actor, {
      orgId, action: "person.remove", resourceType: "user", resourceId: userId, before,
      after: { claimsRevoked: freed.ended.length, tasksReopened: freed.reopened },
    });
    return freed;
  });
  await afterFreed(deps, freed);
  // Their open sockets leave the org's rooms now, not at the next resync.
  deps.bus.publish({ type: "org.people_changed", orgId, userId });
}

const personInclude = (orgId: string) => ({ user: { include: { projects: { where: { project: { orgId } } } } } }) as const;

type PersonRow = {
  role: string;
  joinedAt: Date | null;
  user: {
    id: string;
    email: string;
    name: string;
    passwordHash: string | null;
    projects: Array<{ projectId: string; role: string; contributorTypeId: string | null }>;
  };
};

export const personView = (m: PersonRow) => ({
  user: { id: m.user.id, email: m.user.email, name: m.user.name },
  orgRole: m.role as "admin" | "member",
  status: m.joinedAt ? ("active" as const) : ("invited" as const),
  projects: m.user.projects.map((p) => ({ projectId: p.projectId, role: p.role, contributorTypeId: p.contributorTypeId })),
});

export async function personSnapshot(tx: Tx, orgId: string, userId: string) {
  return personView(await tx.orgMember.findUniqueOrThrow({ where: { orgId_userId: { orgId, userId } }, include: personInclude(orgId) }));
}

/** One page of the org's people, in one query. */
export async function listPeople(tx: Tx, orgId: string, limit: number, cursor?: string) {
  const rows = await tx.orgMember.findMany({
    where: { orgId, ...(cursor ? { userId: { gt: cursor } } : {}) },
    orderBy: { userId: "asc" },
    take: limit + 1,
    include: personInclude(orgId),
  });
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  return { items: page.map(personView), nextCursor: more ? page[page.length - 1]!.userId : null };
}
