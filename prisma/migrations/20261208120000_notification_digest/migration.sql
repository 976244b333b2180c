-- Review digests and once-only notices (docs/architecture.md, "Notifications").
-- A digest (groupKey set, e.g. review_ready's node) grows while unread instead of adding a
-- row per task: count and updatedAt (the inbox's order) move, createdAt (since when it is
-- unread, what unread counts count) stays. dedupeKey: a notice told at most once.

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "count" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "dedupeKey" TEXT,
ADD COLUMN     "groupKey" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- What is stored so far was never updated.
UPDATE "Notification" SET "updatedAt" = "createdAt";

-- The newest unread review_ready of each person and node becomes that node's digest, so
-- the next arrival grows it (the older unread ones stay as they are).
UPDATE "Notification" n SET "groupKey" = n.data->>'nodeId'
FROM (
  SELECT DISTINCT ON ("userId", data->>'nodeId') id FROM "Notification"
  WHERE type = 'review_ready' AND "readAt" IS NULL AND data->>'nodeId' IS NOT NULL
  ORDER BY "userId", data->>'nodeId', "createdAt" DESC, id DESC
) newest
WHERE n.id = newest.id;

-- CreateIndex
CREATE INDEX "Notification_userId_updatedAt_idx" ON "Notification"("userId", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_userId_dedupeKey_key" ON "Notification"("userId", "dedupeKey");

-- At most one unread digest per (person, type, key): concurrent arrivals meet here
-- (INSERT … ON CONFLICT … DO UPDATE). Not expressible in schema.prisma.
CREATE UNIQUE INDEX "Notification_unread_digest_key" ON "Notification"("userId", "type", "groupKey") WHERE "readAt" IS NULL AND "groupKey" IS NOT NULL;
