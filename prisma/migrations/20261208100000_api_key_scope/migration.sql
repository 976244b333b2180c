-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "permissions" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "projectId" TEXT,
ADD COLUMN     "scope" TEXT NOT NULL DEFAULT 'org';

-- CreateIndex
CREATE INDEX "ApiKey_projectId_idx" ON "ApiKey"("projectId");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every key made before scopes acts for the org (the column default). A project key names its
-- project and at least one known permission; an org key neither (access/scope.ts reads them).
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_scope_check" CHECK (
  (scope = 'org' AND "projectId" IS NULL AND cardinality(coalesce(permissions, '{}')) = 0)
  OR (scope = 'project' AND "projectId" IS NOT NULL AND cardinality(permissions) > 0 AND permissions <@ ARRAY['read', 'runs:write']::text[])
);
