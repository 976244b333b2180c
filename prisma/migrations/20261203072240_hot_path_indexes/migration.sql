-- Fewer index writes on the claim -> submit path (P2 profile: commits waiting on
-- WAL flushes were most of PostgreSQL's time per cycle).
-- * Claim(taskId) duplicated the leading column of the unique (taskId, epoch)
--   index (claim_engine migration); every claim insert and every non-HOT claim
--   update wrote both.
-- * The dashboard delta tables' key becomes (projectId, bucket, id): the key is
--   the index readers and the folder use, one index less per delta row. Their
--   (orgId, bucket) indexes, made by hand in dashboard_deltas, are now declared
--   in schema.prisma under the same names, so they are not created again here.
-- DropIndex
DROP INDEX "Claim_taskId_idx";

-- DropIndex
DROP INDEX "StatProjectHourDelta_projectId_hour_idx";

-- DropIndex
DROP INDEX "StatProjectDayDelta_projectId_day_idx";

-- AlterTable
ALTER TABLE "StatProjectHourDelta" DROP CONSTRAINT "StatProjectHourDelta_pkey",
ADD CONSTRAINT "StatProjectHourDelta_pkey" PRIMARY KEY ("projectId", "hour", "id");

-- AlterTable
ALTER TABLE "StatProjectDayDelta" DROP CONSTRAINT "StatProjectDayDelta_pkey",
ADD CONSTRAINT "StatProjectDayDelta_pkey" PRIMARY KEY ("projectId", "day", "id");
