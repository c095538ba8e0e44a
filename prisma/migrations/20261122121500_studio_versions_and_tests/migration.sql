-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "testFlowVersionId" TEXT;

-- AlterTable
ALTER TABLE "Flow" ADD COLUMN     "archivedAt" TIMESTAMP(3),
ADD COLUMN     "draftSavedAt" TIMESTAMP(3),
ADD COLUMN     "draftSavedById" TEXT;

-- AlterTable
ALTER TABLE "FlowVersion" ADD COLUMN     "draftRevision" INTEGER,
ADD COLUMN     "note" TEXT,
ADD COLUMN     "testOnly" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "FlowRun_flowId_startedAt_idx" ON "FlowRun"("flowId", "startedAt");

