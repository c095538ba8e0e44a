-- AlterTable
ALTER TABLE "ExecutorRun" ADD COLUMN     "correlationId" TEXT,
ADD COLUMN     "debounceKey" TEXT,
ADD COLUMN     "debounceUntil" TIMESTAMP(3),
ADD COLUMN     "finishAfterMs" INTEGER,
ADD COLUMN     "finishBy" TIMESTAMP(3),
ADD COLUMN     "startBy" TIMESTAMP(3),
ADD COLUMN     "startedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ExecutorKey" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExecutorKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExecutorCron" (
    "functionId" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "nextAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExecutorCron_pkey" PRIMARY KEY ("functionId","cron")
);

-- CreateIndex
CREATE INDEX "ExecutorKey_kind_key_at_idx" ON "ExecutorKey"("kind", "key", "at");

-- CreateIndex
CREATE INDEX "ExecutorKey_expiresAt_idx" ON "ExecutorKey"("expiresAt");

-- CreateIndex
CREATE INDEX "ExecutorCron_nextAt_idx" ON "ExecutorCron"("nextAt");

-- CreateIndex
CREATE INDEX "ExecutorEvent_receivedAt_idx" ON "ExecutorEvent"("receivedAt");

-- CreateIndex
CREATE INDEX "ExecutorRun_debounceKey_idx" ON "ExecutorRun"("debounceKey");

-- CreateIndex
CREATE INDEX "ExecutorRun_functionId_status_idx" ON "ExecutorRun"("functionId", "status");

-- CreateIndex
CREATE INDEX "ExecutorRun_endedAt_idx" ON "ExecutorRun"("endedAt");

