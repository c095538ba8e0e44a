-- AlterTable
ALTER TABLE "FlowRun" ADD COLUMN     "inboxAfterSeq" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "startKey" TEXT,
ADD COLUMN     "triggerData" JSONB,
ADD COLUMN     "triggerKind" TEXT NOT NULL DEFAULT 'message';

-- AlterTable
ALTER TABLE "StepTrace" ADD COLUMN     "modelCalls" JSONB;

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_workspaceId_idx" ON "ApiKey"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "FlowRun_startKey_key" ON "FlowRun"("startKey");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Runs started by a message read the messages after it.
UPDATE "FlowRun" r SET "inboxAfterSeq" = m.seq FROM "Message" m WHERE m.id = r."triggerMessageId";
