-- CreateTable
CREATE TABLE "QueueState" (
    "projectId" TEXT NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "rebuiltAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QueueState_pkey" PRIMARY KEY ("projectId")
);

-- Hand-written (partial indexes are not expressible in schema.prisma).
-- No task is ever held by two people: at most one active claim per task.
CREATE UNIQUE INDEX "Claim_one_active_per_task" ON "Claim"("taskId") WHERE "outcome" = 'active';
-- A fencing token never repeats for a task.
CREATE UNIQUE INDEX "Claim_taskId_epoch_key" ON "Claim"("taskId", "epoch");
-- The sweeper's look for overdue claims whose Redis state was lost.
CREATE INDEX "Claim_active_expiresAt_idx" ON "Claim"("expiresAt") WHERE "outcome" = 'active';
