// A notification belongs to one person: nobody else reads or marks it, and for
// anyone else it does not exist (404, like another org's resource). An API key
// is limited to its org: its maker's notifications from other orgs are not its.
import type { Actor } from "../actor";

export type NotificationResource = { userId: string; orgId: string | null };

const mine = (a: Actor, n: NotificationResource) => n.userId === a.userId && (!a.apiKey || n.orgId === a.apiKey.orgId);

export const notificationPolicy = {
  read: mine,
  update: mine,
};
