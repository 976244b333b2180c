// Claims belong to their holder; admins of the project may end anyone's.
import type { Actor } from "../actor";
import { contributorIn } from "../roles";
import { projectPolicy } from "./project";

export type ClaimResource = { orgId: string; projectId: string; userId: string };

export const claimPolicy = {
  /** Read, heartbeat, release, submit: the holder, while still a contributor of the project. */
  hold: (a: Actor, c: ClaimResource) => c.userId === a.userId && contributorIn(a, c.projectId) !== null,
  /** See every active claim and revoke one: Owners and Org Admins. */
  revoke: (a: Actor, c: Omit<ClaimResource, "userId">) => projectPolicy.write(a, { id: c.projectId, orgId: c.orgId }),
};
