import type { Actor } from "../actor";
import { isOrgAdmin, orgRoleOf } from "../roles";

export type OrgResource = { orgId: string };

export const orgPolicy = {
  /** Any member sees the organization itself. */
  read: (a: Actor, r: OrgResource) => orgRoleOf(a, r.orgId) !== null,
  /** People, settings, API keys, credentials, audit log, org dashboard, creating projects. */
  manage: (a: Actor, r: OrgResource) => isOrgAdmin(a, r.orgId),
  /**
   * Minting, renaming and revoking API keys, inviting people and changing their
   * roles: an Org Admin signed in, never an API key, so that revoking a leaked
   * key contains the leak (it cannot have made keys or admins that outlive it).
   */
  grant: (a: Actor, r: OrgResource) => isOrgAdmin(a, r.orgId) && !a.apiKey,
};
