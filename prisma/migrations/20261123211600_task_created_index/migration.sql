-- Data explorer and export read a project's tasks in (createdAt, id) keyset pages.
-- CreateIndex
CREATE INDEX "Task_projectId_createdAt_id_idx" ON "Task"("projectId", "createdAt", "id");
