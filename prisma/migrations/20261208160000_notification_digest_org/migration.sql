-- A digest grows only within its org: the unread digest's key (migration notification_digest)
-- takes orgId, so a digest keyed by something not unique across orgs never merges two orgs'
-- arrivals (review_ready's key, a node id, is unique anyway). The old key was stricter, so the
-- rows stored satisfy the new one. Not expressible in schema.prisma; the conflict target of
-- modules/notifications/digest.ts names the same columns.
DROP INDEX "Notification_unread_digest_key";
CREATE UNIQUE INDEX "Notification_unread_digest_key" ON "Notification"("userId", "orgId", "type", "groupKey") WHERE "readAt" IS NULL AND "groupKey" IS NOT NULL;
