// Factories that create the parents they need: a fresh org per test, never truncation.
import { randomUUID } from "node:crypto";
import { signToken } from "../../server/src/auth/jwt";
import type { Deps } from "../../server/src/deps";
import type { Schedule } from "../../server/src/modules/contributor-types/schedule";

// One fixed argon2 hash for every factory user (hashing per user is slow): password "password-1".
let cachedHash: Promise<string> | undefined;
const passwordHash = async () => (cachedHash ??= import("../../server/src/auth/passwords").then((m) => m.hashPassword("password-1")));
export const FACTORY_PASSWORD = "password-1";

const uniq = () => randomUUID().slice(0, 8);

export interface TestUser {
  id: string;
  email: string;
  name: string;
  token: string;
}

export async function createUser(deps: Deps, name = `user-${uniq()}`): Promise<TestUser> {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${uniq()}@test.local`;
  const u = await deps.db.user.create({ data: { email, name, passwordHash: await passwordHash() } });
  return { id: u.id, email: u.email, name: u.name, token: signToken(deps.jwtSecret, u.id, deps.clock) };
}

export async function createOrg(deps: Deps, name = `Org ${uniq()}`) {
  const org = await deps.db.organization.create({ data: { name } });
  const admin = await createUser(deps, "org-admin");
  await deps.db.orgMember.create({ data: { orgId: org.id, userId: admin.id, role: "admin" } });
  return { org, admin };
}

export async function addOrgMember(deps: Deps, orgId: string, role: "admin" | "member" = "member", name?: string) {
  const u = await createUser(deps, name);
  await deps.db.orgMember.create({ data: { orgId, userId: u.id, role } });
  return u;
}

export async function createProject(deps: Deps, orgId: string, name = `Project ${uniq()}`) {
  return deps.db.project.create({ data: { orgId, name } });
}

export async function createContributorType(
  deps: Deps,
  projectId: string,
  data: { name?: string; claimLimit?: number; poolLimit?: number | null; schedule?: Schedule | null } = {},
) {
  return deps.db.contributorType.create({
    data: {
      projectId,
      name: data.name ?? `Type ${uniq()}`,
      claimLimit: data.claimLimit ?? 3,
      poolLimit: data.poolLimit ?? null,
      schedule: data.schedule ?? undefined,
    },
  });
}

/** A new org member with a role on the project. */
export async function addProjectMember(
  deps: Deps,
  project: { id: string; orgId: string },
  role: "owner" | "viewer" | "contributor",
  contributorTypeId: string | null = null,
  name?: string,
) {
  const u = await addOrgMember(deps, project.orgId, "member", name ?? role);
  await deps.db.projectMember.create({ data: { projectId: project.id, userId: u.id, role, contributorTypeId } });
  return u;
}

/** One org with a project and a user of every role, plus an outsider org. */
export async function createWorld(deps: Deps) {
  const { org, admin } = await createOrg(deps);
  const project = await createProject(deps, org.id);
  const type = await createContributorType(deps, project.id, { name: "Domain Expert" });
  const owner = await addProjectMember(deps, project, "owner");
  const viewer = await addProjectMember(deps, project, "viewer");
  const contributor = await addProjectMember(deps, project, "contributor", type.id);
  const member = await addOrgMember(deps, org.id, "member", "plain-member");
  const other = await createOrg(deps);
  const otherProject = await createProject(deps, other.org.id);
  return { org, admin, project, type, owner, viewer, contributor, member, other, otherProject };
}
