-- AlterTable
ALTER TABLE "QueueState" ADD COLUMN     "staleSince" TIMESTAMPTZ(3);

