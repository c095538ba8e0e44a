-- CreateTable
CREATE TABLE "ExecutorEventId" (
    "id" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExecutorEventId_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ExecutorEventId_receivedAt_idx" ON "ExecutorEventId"("receivedAt");

-- The ids of the last 24 hours, so that an event delivered again right after the upgrade is still a duplicate.
INSERT INTO "ExecutorEventId" ("id", "receivedAt")
SELECT "id", max("receivedAt") FROM "ExecutorEvent"
WHERE "receivedAt" > (now() AT TIME ZONE 'UTC') - interval '24 hours'
GROUP BY "id";
