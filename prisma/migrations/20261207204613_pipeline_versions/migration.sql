-- AlterTable
ALTER TABLE "Pipeline" ADD COLUMN     "description" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "previousId" TEXT,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'active',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateIndex
CREATE UNIQUE INDEX "Pipeline_previousId_key" ON "Pipeline"("previousId");

-- AddForeignKey
ALTER TABLE "Pipeline" ADD CONSTRAINT "Pipeline_previousId_fkey" FOREIGN KEY ("previousId") REFERENCES "Pipeline"("id") ON DELETE SET NULL ON UPDATE CASCADE;

