// Notifications: stored for the inbox (users offline at the time read them
// later), then pushed over the socket once the insert has committed.
import { Prisma } from "@prisma/client";
import type { Actor } from "../../access/actor";
import { can } from "../../access/authorize";
import type { Deps } from "../../deps";
import { notFound } from "../../http/errors";
import { afterCursor, keysetOrder, keysetPage } from "../../http/keyset";
import type { NotificationType } from "../../shared/socket-events";
import { growDigests, type Digest, type DigestItem } from "./digest";
import { notificationView } from "./view";

export interface NewNotification {
  userId: string;
  orgId: string | null;
  type: NotificationType;
  title: string;
  body: string;
  link: string;
  data?: Record<string, string>;
  /** Grows the person's unread one of this type and key instead of adding a row (digest.ts). */
  digest?: Digest;
  /** Stored at most once per person: another with this key is dropped (several instances, one notice). */
  dedupeKey?: string;
}

/**
 * One transaction for the whole batch; the events leave after it commits, one per
 * row stored or grown (a grown digest is pushed again, same id, with its count).
 * Returns how many rows were stored or grown.
 */
export async function notify(deps: Deps, items: NewNotification[]): Promise<number> {
  if (!items.length) return 0;
  const now = deps.clock.now();
  // A digest grows within its org (digest.ts); one without an org is stored as it comes.
  const isDigest = (n: NewNotification): n is DigestItem => !!n.digest && n.orgId !== null;
  const plain = items.filter((n) => !isDigest(n)).map(({ digest: _, ...n }) => ({ ...n, data: n.data ?? undefined, createdAt: now, updatedAt: now }));
  const digests = items.filter(isDigest);
  const rows = await deps.db.$transaction(async (tx) => [
    // skipDuplicates: a dedupeKey already stored is not stored again (nothing else here can conflict).
    ...(plain.length ? await tx.notification.createManyAndReturn({ data: plain, skipDuplicates: true }) : []),
    ...(digests.length ? await growDigests(tx, digests, now) : []),
  ]);
  deps.bus.publish(rows.map((r) => ({ type: "notification.created" as const, userId: r.userId, orgId: r.orgId, notification: notificationView(r) })));
  return rows.length;
}

/** The actor's own notifications: with an API key, only those of the key's org (the policy's rule, as a query). */
const inboxOf = (actor: Actor) => ({ userId: actor.userId, ...(actor.apiKey ? { orgId: actor.apiKey.orgId } : {}) });

export async function listNotifications(deps: Deps, actor: Actor, q: { limit: number; cursor?: string; unread?: boolean }) {
  // Latest arrival first: a digest that grew comes back to the top. The cursor is the last
  // row's (updatedAt, id) as the page showed it, not the row: one that grew since moves above
  // the page (seen on the next first page), and the next page goes on below where it stood.
  const where = { ...inboxOf(actor), ...(q.unread ? { readAt: null } : {}), ...afterCursor("updatedAt", "desc", q.cursor) };
  const [rows, count] = await Promise.all([
    deps.db.notification.findMany({ where, orderBy: keysetOrder("updatedAt", "desc"), take: q.limit + 1 }),
    unread(deps, actor),
  ]);
  const page = keysetPage(rows, q.limit, "updatedAt");
  return { items: page.items.map(notificationView), nextCursor: page.nextCursor, ...count };
}

export async function markRead(deps: Deps, actor: Actor, id: string, upTo?: Date) {
  const n = await deps.db.notification.findUnique({ where: { id } });
  // Someone else's notification does not exist for this actor.
  if (!n || !can(actor, "notification.update", n)) throw notFound("notification");
  if (n.readAt) return { ...notificationView(n), ...(await unread(deps, actor)) };
  // Conditional: of two tabs reading it at once, one changes it and tells the others; and with
  // `upTo`, a digest that grew after what the reader saw stays unread (the answer shows it grown).
  const [changed] = await deps.db.notification.updateManyAndReturn({
    where: { id, readAt: null, ...(upTo ? { updatedAt: { lte: upTo } } : {}) },
    data: { readAt: deps.clock.now() },
  });
  const count = await unread(deps, actor);
  if (changed) await tellRead(deps, actor, [id], count);
  return { ...notificationView(changed ?? (await deps.db.notification.findUniqueOrThrow({ where: { id } }))), ...count };
}

export async function markAllRead(deps: Deps, actor: Actor, upTo?: Date) {
  const r = await deps.db.notification.updateMany({
    where: { ...inboxOf(actor), readAt: null, ...(upTo ? { updatedAt: { lte: upTo } } : {}) },
    data: { readAt: deps.clock.now() },
  });
  const count = await unread(deps, actor);
  if (r.count) await tellRead(deps, actor, null, count);
  return { updated: r.count, ...count };
}

export interface UnreadCount {
  unreadCount: number;
  /**
   * When the newest notification in scope was created as the count was taken (null: none yet).
   * A notification pushed with a later `createdAt` is not in the count; one at or before it may be
   * (a push and a read that crossed): a client reads the inbox again rather than guess.
   */
  countedUpTo: string | null;
}

/** The count and its mark from one statement, so both see the same notifications. */
async function unread(deps: Deps, actor: Actor, scope = inboxOf(actor)): Promise<UnreadCount> {
  const org = "orgId" in scope ? Prisma.sql` AND "orgId" = ${scope.orgId}` : Prisma.empty;
  const [row] = await deps.db.$queryRaw<Array<{ unread: number; newest: Date | null }>>`
    SELECT (SELECT count(*)::int FROM "Notification" WHERE "userId" = ${scope.userId} AND "readAt" IS NULL${org}) AS unread,
           (SELECT max("createdAt") FROM "Notification" WHERE "userId" = ${scope.userId}${org}) AS newest`;
  return { unreadCount: row!.unread, countedUpTo: row!.newest ? row!.newest.toISOString() : null };
}

/** The person's other tabs follow (after the write: it committed on its own). Their count is over every org. */
async function tellRead(deps: Deps, actor: Actor, ids: string[] | null, scoped: UnreadCount) {
  const count = actor.apiKey ? await unread(deps, actor, { userId: actor.userId }) : scoped;
  deps.bus.publish({ type: "notification.read", userId: actor.userId, ids, ...count });
}
