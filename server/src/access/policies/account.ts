import type { Actor } from "../actor";
import { isOrgAdmin } from "../roles";

/** A person's account: `orgIds` are every org they belong to, joined or invited. */
export type AccountResource = { userId: string; orgIds: string[] };

export const accountPolicy = {
  /**
   * The personal routes (`/api/me…`: profile, inbox, own submissions) and the personal socket room:
   * the person, or an org key of theirs. A project key is no person: it acts only in its project.
   */
  read: (a: Actor, r: Pick<AccountResource, "userId">) => a.userId === r.userId && !a.apiKey?.project,
  /** Changing one's password, ending one's sessions: the person signed in, never an API key. */
  manage: (a: Actor, r: Pick<AccountResource, "userId">) => !a.apiKey && a.userId === r.userId,
  /**
   * A reset link for someone else: a signed-in Org Admin of every org the person is in.
   * An Org Admin of one org must not take over an account that also opens another org.
   */
  reset: (a: Actor, r: AccountResource) => !a.apiKey && a.userId !== r.userId && r.orgIds.length > 0 && r.orgIds.every((o) => isOrgAdmin(a, o)),
};
