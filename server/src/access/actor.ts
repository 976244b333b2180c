// Who is asking: the user, the orgs and projects they belong to, and (when they
// came with an API key) the one org the key is limited to.
import type { Db } from "../infra/prisma";

export type OrgRole = "admin" | "member";
export type ProjectRole = "owner" | "viewer" | "contributor";

export interface Actor {
  userId: string;
  email: string;
  name: string;
  apiKey?: { id: string; orgId: string };
  orgs: Map<string, OrgRole>;
  projects: Map<string, { role: ProjectRole; orgId: string; contributorTypeId: string | null }>;
}

export async function loadActor(db: Db, userId: string, apiKey?: { id: string; orgId: string }): Promise<Actor | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    include: {
      orgs: true,
      projects: { include: { project: { select: { orgId: true } } } },
    },
  });
  if (!user || !user.passwordHash) return null;
  const orgs = new Map<string, OrgRole>();
  for (const m of user.orgs) {
    if (!apiKey || m.orgId === apiKey.orgId) orgs.set(m.orgId, m.role as OrgRole);
  }
  if (apiKey && !orgs.has(apiKey.orgId)) return null; // the key's maker left the org
  const projects: Actor["projects"] = new Map();
  for (const m of user.projects) {
    if (!orgs.has(m.project.orgId)) continue;
    projects.set(m.projectId, { role: m.role as ProjectRole, orgId: m.project.orgId, contributorTypeId: m.contributorTypeId });
  }
  return { userId: user.id, email: user.email, name: user.name, apiKey, orgs, projects };
}
