import { z } from "zod";
import { id, listQuery, type Api } from "../../http/route";
import { listNotifications, markAllRead, markRead } from "./service";
import { notificationSchema } from "./view";

/** The unread count and up to when it counted: a notification created after `countedUpTo` is not in it. */
const countSchema = {
  unreadCount: z.number(),
  countedUpTo: z.string().nullable().describe("createdAt of the newest notification (read or not) when the count was taken; null when there is none"),
};

const inboxQuery = listQuery.extend({
  unread: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
});

/** What the reader saw: a digest grown since (its `updatedAt` later) stays unread. */
const upTo = z.iso.datetime({ offset: true });
const upToNote =
  "With `upTo` (the `updatedAt` the reader last saw), a notification that grew after it (a digest a new task joined as the read was sent) stays unread, so no task joins a notification already read; without it, every one is read.";

export function registerNotificationRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/me/notifications",
    tag: "notifications",
    summary:
      "My inbox, latest arrival first (`updatedAt`: a review digest that grew comes back to the top), with the unread count (`unread=true` lists only unread ones); with an API key, only its org's notifications. Pages by `nextCursor` (opaque: the last item's place when its page was read; anything else answers 400), so a notification that grows meanwhile moves above the pages already read and the next page repeats none",
    query: inboxQuery,
    response: z.object({ items: z.array(notificationSchema), nextCursor: z.string().nullable(), ...countSchema }),
    async handler({ actor, query, deps }) {
      return listNotifications(deps, actor, query);
    },
  });

  api.add({
    method: "post",
    path: "/api/me/notifications/read-all",
    tag: "notifications",
    summary: "Mark every notification of mine read (with an API key, its org's); my signed-in sockets hear `notifications:read`",
    description: upToNote,
    body: z.strictObject({ upTo: upTo.optional() }),
    response: z.object({ updated: z.number(), ...countSchema }),
    async handler({ actor, body, deps }) {
      return markAllRead(deps, actor, body.upTo ? new Date(body.upTo) : undefined);
    },
  });

  api.add({
    method: "post",
    path: "/api/me/notifications/:id/read",
    tag: "notifications",
    summary: "Mark one of my notifications read (another person's answers 404); my signed-in sockets hear `notifications:read`",
    description: upToNote,
    params: z.strictObject({ id }),
    body: z.strictObject({ upTo: upTo.optional() }),
    response: notificationSchema.extend(countSchema),
    async handler({ actor, params, body, deps }) {
      return markRead(deps, actor, params.id, body.upTo ? new Date(body.upTo) : undefined);
    },
  });
}
