// Who is asking: the user, the orgs they joined (an invitation not yet accepted
// grants nothing) and the projects in them, and (when they
// came with an API key) the key's scope: its org, and for a project key its project.
import type { Db } from "../infra/prisma";
import { sqlOfDb } from "../queue/pg";
import { actorCacheOf } from "./actor-cache";
import type { KeyScope } from "./scope";

export type OrgRole = "admin" | "member";
export type ProjectRole = "owner" | "viewer" | "contributor";

export interface Actor {
  userId: string;
  email: string;
  name: string;
  /** Login tokens of another version are refused (auth/jwt.ts). */
  sessionVersion: number;
  /** The key's limits are applied by can()/authorize() (access/scope.ts). */
  apiKey?: KeyScope;
  orgs: Map<string, OrgRole>;
  projects: Map<string, { role: ProjectRole; orgId: string; contributorTypeId: string | null }>;
}

// Read for every request unless the instance's actor cache holds it (kept only
// while every change is announced to this instance: access/actor-cache.ts), so
// it is one statement through pg, not Prisma's include (three queries and ~10x the CPU:
// the P2 profile had Prisma's engine at ~20% of the server's CPU, mostly here).
const ACTOR_SQL = `SELECT u.id, u.email, u.name, u."sessionVersion", u."passwordHash" IS NOT NULL AS "canLogIn",
  (SELECT coalesce(json_agg(json_build_object('orgId', m."orgId", 'role', m.role) ORDER BY m."orgId"), '[]'::json)
   FROM "OrgMember" m WHERE m."userId" = u.id AND m."joinedAt" IS NOT NULL) AS orgs,
  (SELECT coalesce(json_agg(json_build_object('projectId', m."projectId", 'role', m.role, 'orgId', p."orgId",
                   'contributorTypeId', m."contributorTypeId") ORDER BY m."projectId"), '[]'::json)
   FROM "ProjectMember" m JOIN "Project" p ON p.id = m."projectId" WHERE m."userId" = u.id) AS projects
FROM "User" u WHERE u.id = $1`;

type ActorRow = {
  id: string;
  email: string;
  name: string;
  sessionVersion: number;
  canLogIn: boolean;
  orgs: Array<{ orgId: string; role: string }>;
  projects: Array<{ projectId: string; role: string; orgId: string; contributorTypeId: string | null }>;
};

/** `fresh` reads PostgreSQL even when cached (a recheck after a change must see it). */
export async function loadActor(db: Db, userId: string, apiKey?: KeyScope, opts: { fresh?: boolean } = {}): Promise<Actor | null> {
  // Someone who cannot sign in (yet) is not kept: accepting an invitation must work at once.
  const read = async () => (await sqlOfDb(db).query<ActorRow>(ACTOR_SQL, [userId])).find((u) => u.canLogIn);
  const cache = actorCacheOf<ActorRow>(db);
  if (opts.fresh) cache.forget(userId);
  const user = await cache.get(userId, read);
  if (!user) return null;
  const orgs = new Map<string, OrgRole>();
  for (const m of user.orgs) {
    if (!apiKey || m.orgId === apiKey.orgId) orgs.set(m.orgId, m.role as OrgRole);
  }
  if (apiKey && !orgs.has(apiKey.orgId)) return null; // the key's maker left the org
  const only = apiKey?.project?.id;
  // A project key's maker left its project (an Org Admin needs no project role): the key is dead.
  if (only && orgs.get(apiKey.orgId) !== "admin" && !user.projects.some((m) => m.projectId === only)) return null;
  const projects: Actor["projects"] = new Map();
  for (const m of user.projects) {
    if (!orgs.has(m.orgId) || (only && m.projectId !== only)) continue;
    projects.set(m.projectId, { role: m.role as ProjectRole, orgId: m.orgId, contributorTypeId: m.contributorTypeId });
  }
  return { userId: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion, apiKey, orgs, projects };
}
