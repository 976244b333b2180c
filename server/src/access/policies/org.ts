import type { Actor } from "../actor";
import { isOrgAdmin, orgRoleOf } from "../roles";

export type OrgResource = { orgId: string };

export const orgPolicy = {
  /** Any member sees the organization itself. */
  read: (a: Actor, r: OrgResource) => orgRoleOf(a, r.orgId) !== null,
  /** People, settings, API keys, credentials, audit log, org dashboard, creating projects. */
  manage: (a: Actor, r: OrgResource) => isOrgAdmin(a, r.orgId),
};
