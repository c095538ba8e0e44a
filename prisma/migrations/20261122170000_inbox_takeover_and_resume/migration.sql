-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "handedOffById" TEXT;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "sentByUserId" TEXT;

-- AlterTable
ALTER TABLE "FlowRun" ADD COLUMN     "resumedAtNodeId" TEXT,
ADD COLUMN     "resumedFromRunId" TEXT;

