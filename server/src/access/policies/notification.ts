// A notification belongs to one person: nobody else reads or marks it, and for
// anyone else it does not exist (404, like another org's resource).
import type { Actor } from "../actor";

export type NotificationResource = { userId: string };

export const notificationPolicy = {
  read: (a: Actor, n: NotificationResource) => n.userId === a.userId,
  update: (a: Actor, n: NotificationResource) => n.userId === a.userId,
};
