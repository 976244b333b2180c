// Notifications: stored for the inbox (users offline at the time read them
// later), then pushed over the socket once the insert has committed.
import type { Actor } from "../../access/actor";
import { can } from "../../access/authorize";
import type { Deps } from "../../deps";
import { notFound } from "../../http/errors";
import type { NotificationType } from "../../shared/socket-events";
import { notificationView } from "./view";

export interface NewNotification {
  userId: string;
  orgId: string | null;
  type: NotificationType;
  title: string;
  body: string;
  link: string;
  data?: Record<string, string>;
}

/** One transaction for the whole batch; the events leave after it commits. */
export async function notify(deps: Deps, items: NewNotification[]): Promise<number> {
  if (!items.length) return 0;
  const createdAt = deps.clock.now();
  const rows = await deps.db.$transaction((tx) =>
    tx.notification.createManyAndReturn({ data: items.map((n) => ({ ...n, data: n.data ?? undefined, createdAt })) }),
  );
  deps.bus.publish(rows.map((r) => ({ type: "notification.created" as const, userId: r.userId, orgId: r.orgId, notification: notificationView(r) })));
  return rows.length;
}

/** The actor's own notifications: with an API key, only those of the key's org (the policy's rule, as a query). */
const inboxOf = (actor: Actor) => ({ userId: actor.userId, ...(actor.apiKey ? { orgId: actor.apiKey.orgId } : {}) });

export async function listNotifications(deps: Deps, actor: Actor, q: { limit: number; cursor?: string; unread?: boolean }) {
  const where = { ...inboxOf(actor), ...(q.unread ? { readAt: null } : {}) };
  const [rows, unreadCount] = await Promise.all([
    deps.db.notification.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: q.limit + 1,
      ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    }),
    unread(deps, actor),
  ]);
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map(notificationView);
  return { items, nextCursor: more ? items[items.length - 1]!.id : null, unreadCount };
}

export async function markRead(deps: Deps, actor: Actor, id: string) {
  const n = await deps.db.notification.findUnique({ where: { id } });
  // Someone else's notification does not exist for this actor.
  if (!n || !can(actor, "notification.update", n)) throw notFound("notification");
  if (n.readAt) return { ...notificationView(n), unreadCount: await unread(deps, actor) };
  // Conditional: of two tabs reading it at once, one changes it and tells the others.
  const [changed] = await deps.db.notification.updateManyAndReturn({ where: { id, readAt: null }, data: { readAt: deps.clock.now() } });
  const unreadCount = await unread(deps, actor);
  if (changed) await tellRead(deps, actor, [id], unreadCount);
  return { ...notificationView(changed ?? (await deps.db.notification.findUniqueOrThrow({ where: { id } }))), unreadCount };
}

export async function markAllRead(deps: Deps, actor: Actor) {
  const r = await deps.db.notification.updateMany({ where: { ...inboxOf(actor), readAt: null }, data: { readAt: deps.clock.now() } });
  const unreadCount = await unread(deps, actor);
  if (r.count) await tellRead(deps, actor, null, unreadCount);
  return { updated: r.count, unreadCount };
}

const unread = (deps: Deps, actor: Actor) => deps.db.notification.count({ where: { ...inboxOf(actor), readAt: null } });

/** The person's other tabs follow (after the write: it committed on its own). Their count is over every org. */
async function tellRead(deps: Deps, actor: Actor, ids: string[] | null, scopedUnread: number) {
  const unreadCount = actor.apiKey ? await deps.db.notification.count({ where: { userId: actor.userId, readAt: null } }) : scopedUnread;
  deps.bus.publish({ type: "notification.read", userId: actor.userId, ids, unreadCount });
}
