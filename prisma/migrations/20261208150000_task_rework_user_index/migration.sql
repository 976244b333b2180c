-- The work returned to one contributor (Task.reworkUserId): the queue answer counts it
-- per node (`reservedForMe.rework`, modules/queue/service.ts) whenever their own ready
-- set is not empty. Few tasks wait as rework at any time, so a partial index holds only
-- those and the count reads the caller's, never the project's queued tasks.
-- Not expressible in schema.prisma.
CREATE INDEX "Task_reworkUserId_projectId_idx" ON "Task"("reworkUserId", "projectId") WHERE "reworkUserId" IS NOT NULL;
