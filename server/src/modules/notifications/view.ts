import { z } from "zod";
import type { NotificationView } from "../../events/bus";
import { NOTIFICATION_TYPES } from "../../shared/socket-events";

export const notificationSchema = z.object({
  id: z.string(),
  type: z.enum(NOTIFICATION_TYPES),
  title: z.string(),
  body: z.string(),
  link: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

export function notificationView(n: {
  id: string;
  type: string;
  title: string;
  body: string;
  link: string;
  createdAt: Date;
  readAt: Date | null;
}): NotificationView {
  return {
    id: n.id,
    type: n.type,
    title: n.title,
    body: n.body,
    link: n.link,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt ? n.readAt.toISOString() : null,
  };
}
