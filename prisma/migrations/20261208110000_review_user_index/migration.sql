-- A reviewer's own reviews, newest first, beside their evaluations
-- (GET /api/me/submissions; Submission has the same index).
-- CreateIndex
CREATE INDEX "Review_userId_createdAt_idx" ON "Review"("userId", "createdAt");
