// Digests: a notification that grows while unread instead of adding a row per
// arrival (review_ready: one per reviewer and review node). The partial unique
// index "Notification_unread_digest_key" (one unread row per userId, orgId, type,
// groupKey: never across orgs) is where concurrent arrivals meet, on any instance: INSERT … ON
// CONFLICT … DO UPDATE either stores a new row or adds to the unread one, never
// both; once the row is read it leaves the index and the next arrival stores a
// new one. createdAt stays (since when it is unread: what unread counts count,
// `countedUpTo`); updatedAt moves (the inbox's order).
import type { Notification } from "@prisma/client";
import type { Tx } from "../../infra/prisma";
import type { NewNotification } from "./service";

export interface Digest {
  /** What it groups by, within its type (review_ready: the node). */
  key: string;
  /** Its title and body once it stands for `count` arrivals. */
  text(count: number): { title: string; body: string };
}

export type DigestItem = NewNotification & { orgId: string; digest: Digest };

/** The row a digest grows: its index's columns. */
const rowKey = (r: { userId: string; orgId: string | null; type: string }, key: string) => `${r.userId}\n${r.orgId}\n${r.type}\n${key}`;

/** Stores or grows each digest in the caller's transaction; returns the rows as they are now. */
export async function growDigests(tx: Tx, items: DigestItem[], now: Date): Promise<Notification[]> {
  // One entry per row: a statement's ON CONFLICT may not touch a row twice.
  const merged = new Map<string, { n: DigestItem; add: number }>();
  for (const n of items) {
    const k = rowKey(n, n.digest.key);
    merged.set(k, { n, add: (merged.get(k)?.add ?? 0) + 1 });
  }
  // Rows are locked in this order: two batches over the same people never wait on each other in a cycle.
  const list = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  const col = <T>(f: (v: (typeof list)[number]) => T) => list.map(f);
  const rows = await tx.$queryRaw<Notification[]>`
    INSERT INTO "Notification" ("userId", "orgId", type, title, body, link, data, "groupKey", count, "createdAt", "updatedAt")
    SELECT i.u, i.o, i.ty, i.ti, i.b, i.l, i.d::jsonb, i.k, i.c, ${now}::timestamptz, ${now}::timestamptz
    FROM unnest(
      ${col((v) => v.n.userId)}::text[], ${col((v) => v.n.orgId)}::text[], ${col((v) => v.n.type)}::text[],
      ${col((v) => v.n.title)}::text[], ${col((v) => v.n.body)}::text[], ${col((v) => v.n.link)}::text[],
      ${col((v) => (v.n.data ? JSON.stringify(v.n.data) : null))}::text[], ${col((v) => v.n.digest.key)}::text[], ${col((v) => v.add)}::int[]
    ) WITH ORDINALITY AS i(u, o, ty, ti, b, l, d, k, c, ord)
    ORDER BY i.ord
    ON CONFLICT ("userId", "orgId", type, "groupKey") WHERE "readAt" IS NULL AND "groupKey" IS NOT NULL
    DO UPDATE SET count = "Notification".count + EXCLUDED.count, data = EXCLUDED.data, link = EXCLUDED.link,
      "updatedAt" = GREATEST("Notification"."updatedAt", EXCLUDED."updatedAt")
    RETURNING *`;

  // Standing for more than one arrival now: its words say how many (rows already locked above).
  const byKey = new Map(list.map((v) => [rowKey(v.n, v.n.digest.key), v.n.digest]));
  const grown = rows.filter((r) => r.count > 1).map((r) => ({ id: r.id, ...byKey.get(rowKey(r, r.groupKey!))!.text(r.count) }));
  if (!grown.length) return rows;
  const texted = await tx.$queryRaw<Notification[]>`
    UPDATE "Notification" n SET title = v.title, body = v.body
    FROM unnest(${grown.map((g) => g.id)}::text[], ${grown.map((g) => g.title)}::text[], ${grown.map((g) => g.body)}::text[]) AS v(id, title, body)
    WHERE n.id = v.id
    RETURNING n.*`;
  const byId = new Map(texted.map((r) => [r.id, r]));
  return rows.map((r) => byId.get(r.id) ?? r);
}
