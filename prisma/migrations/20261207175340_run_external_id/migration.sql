-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "externalId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Run_agentId_externalId_key" ON "Run"("agentId", "externalId");

