import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, invalidRequest, notFound } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { afterFreed, freeWorkOf, lostStanding, type Freed } from "../../queue/leave";
import { revokeKeysOfLeaver } from "../api-keys/makers";
import { recordAudit } from "../audit/record";
import { shareTypes } from "../contributor-types/lock";
import { projectMustExist } from "../projects/lock";

type Project = { id: string; orgId: string };
type Role = "owner" | "viewer" | "contributor";

export function memberView(m: {
  userId: string;
  role: string;
  createdAt: Date;
  user: { email: string; name: string };
  contributorType: { id: string; name: string } | null;
}) {
  return {
    userId: m.userId,
    email: m.user.email,
    name: m.user.name,
    role: m.role as Role,
    contributorType: m.contributorType ? { id: m.contributorType.id, name: m.contributorType.name } : null,
    createdAt: m.createdAt.toISOString(),
  };
}

const include = { user: true, contributorType: true } as const;

async function checkType(tx: Tx, projectId: string, role: Role, typeId: string | null | undefined) {
  if (!typeId) return;
  if (role !== "contributor") throw invalidRequest("Only contributors have a contributor type.");
  // FOR SHARE: a delete of the type at the same moment waits for this change (no foreign-key error).
  if (!(await shareTypes(tx, projectId, [typeId])).size) throw notFound("contributor type");
}

export async function addMember(
  deps: Deps,
  actor: Actor,
  project: Project,
  input: { userId?: string; email?: string; role: Role; contributorTypeId?: string | null },
) {
  const m = await deps.db.$transaction(async (tx) => {
    await projectMustExist(tx, project.id);
    // Only people already in the organization can join its projects (Org Admins invite).
    const user = await tx.user.findFirst({
      where: {
        ...(input.userId ? { id: input.userId } : { email: input.email!.toLowerCase() }),
        orgs: { some: { orgId: project.orgId } },
      },
    });
    if (!user)
      throw input.email
        ? notFound("person", "No one in this organization has that email: invite them on the People page first.")
        : notFound("person in this organization");
    await checkType(tx, project.id, input.role, input.contributorTypeId);
    const exists = await tx.projectMember.findUnique({ where: { projectId_userId: { projectId: project.id, userId: user.id } } });
    if (exists) throw conflict("already_member", "This person is already on the project; change their role instead.");
    const m = await tx.projectMember.create({
      data: { projectId: project.id, userId: user.id, role: input.role, contributorTypeId: input.contributorTypeId ?? null },
      include,
    });
    await recordAudit(tx, actor, {
      orgId: project.orgId,
      action: "member.add",
      resourceType: "project_member",
      resourceId: `${project.id}:${user.id}`,
      after: { userId: user.id, role: m.role, contributorTypeId: m.contributorTypeId },
    });
    return m;
  });
  deps.bus.publish({ type: "project.changed", orgId: project.orgId, projectId: project.id });
  return m;
}

export async function updateMember(
  deps: Deps,
  actor: Actor,
  project: Project,
  userId: string,
  input: { role?: Role; contributorTypeId?: string | null },
) {
  const { m, freed } = await deps.db.$transaction(async (tx) => {
    // The project's lock before the member row: a delete under way, which clears the claims
    // this revokes before the member rows, commits first (projects/lock.ts).
    await projectMustExist(tx, project.id);
    const before = await tx.projectMember.findUnique({ where: { projectId_userId: { projectId: project.id, userId } } });
    if (!before) throw notFound("member");
    const role = input.role ?? (before.role as Role);
    // A type only belongs to contributors: changing away from contributor drops it.
    const typeId = role !== "contributor" ? null : input.contributorTypeId !== undefined ? input.contributorTypeId : before.contributorTypeId;
    await checkType(tx, project.id, role, typeId);
    const m = await tx.projectMember.update({
      where: { projectId_userId: { projectId: project.id, userId } },
      data: { role, contributorTypeId: typeId ?? null },
      include,
    });
    const lost = lostStanding([before], [m]);
    const freed = await freeWorkOf(tx, deps, actor.userId, userId, lost.revoke, lost.reopen, lost.retyped);
    await recordAudit(tx, actor, {
      orgId: project.orgId,
      action: "member.update",
      resourceType: "project_member",
      resourceId: `${project.id}:${userId}`,
      before: { role: before.role, contributorTypeId: before.contributorTypeId },
      after: { role: m.role, contributorTypeId: m.contributorTypeId, ...freedSummary(freed) },
    });
    return { m, freed };
  });
  await afterFreed(deps, freed);
  deps.bus.publish({ type: "project.changed", orgId: project.orgId, projectId: project.id });
  return m;
}

/** The audit's note of work taken back, when there was any. */
const freedSummary = (f: Freed) => (f.ended.length || f.reopened ? { claimsRevoked: f.ended.length, tasksReopened: f.reopened } : {});

export async function removeMember(deps: Deps, actor: Actor, project: Project, userId: string) {
  const freed = await deps.db.$transaction(async (tx) => {
    await projectMustExist(tx, project.id); // as in updateMember
    const before = await tx.projectMember.findUnique({ where: { projectId_userId: { projectId: project.id, userId } } });
    if (!before) throw notFound("member");
    await tx.projectMember.delete({ where: { projectId_userId: { projectId: project.id, userId } } });
    const freed = await freeWorkOf(tx, deps, actor.userId, userId, [project.id]);
    // Their keys for this project die with their role here (an Org Admin's need none): coming back does not revive them.
    await revokeKeysOfLeaver(tx, deps, actor, project.orgId, userId);
    await recordAudit(tx, actor, {
      orgId: project.orgId,
      action: "member.remove",
      resourceType: "project_member",
      resourceId: `${project.id}:${userId}`,
      before: { role: before.role, contributorTypeId: before.contributorTypeId },
      after: { claimsRevoked: freed.ended.length, tasksReopened: freed.reopened },
    });
    return freed;
  });
  await afterFreed(deps, freed);
  deps.bus.publish({ type: "project.changed", orgId: project.orgId, projectId: project.id });
}
