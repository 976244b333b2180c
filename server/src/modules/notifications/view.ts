import { z } from "zod";
import type { NotificationView } from "../../events/bus";
import { NOTIFICATION_TYPES } from "../../shared/socket-events";

export const notificationSchema = z.object({
  id: z.string(),
  type: z.enum(NOTIFICATION_TYPES),
  title: z.string(),
  body: z.string(),
  link: z.string(),
  createdAt: z.string().describe("When it was stored: since then it is unread (what `unreadCount` and `countedUpTo` count by)"),
  updatedAt: z.string().describe("Its latest arrival, the inbox's order: a review digest moves it on each task it takes in while unread; otherwise createdAt"),
  count: z.number().int().describe("How many arrivals it stands for: a review_ready digest counts the tasks that reached its node since it was stored (one unread per person and node); otherwise 1"),
  readAt: z.string().nullable(),
});

export function notificationView(n: {
  id: string;
  type: string;
  title: string;
  body: string;
  link: string;
  createdAt: Date;
  updatedAt: Date;
  count: number;
  readAt: Date | null;
}): NotificationView {
  return {
    id: n.id,
    type: n.type,
    title: n.title,
    body: n.body,
    link: n.link,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
    count: n.count,
    readAt: n.readAt ? n.readAt.toISOString() : null,
  };
}
