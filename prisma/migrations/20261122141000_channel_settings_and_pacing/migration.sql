-- AlterTable
ALTER TABLE "Channel" ADD COLUMN     "messagesPerSecond" INTEGER NOT NULL DEFAULT 80,
ADD COLUMN     "sendPaceMs" BIGINT,
ADD COLUMN     "templatesFetchedAt" TIMESTAMP(3),
ADD COLUMN     "verifyTokenCipher" TEXT,
ADD COLUMN     "wabaId" TEXT;

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "sendPaceMs" BIGINT;

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signatureOk" BOOLEAN NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "messages" INTEGER NOT NULL,
    "statuses" INTEGER NOT NULL,
    "problem" TEXT,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageTemplate" (
    "id" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "category" TEXT,
    "bodyParameters" INTEGER NOT NULL,
    "bodyText" TEXT,
    "components" JSONB NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MessageTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookDelivery_channelId_receivedAt_idx" ON "WebhookDelivery"("channelId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "MessageTemplate_channelId_name_language_key" ON "MessageTemplate"("channelId", "name", "language");

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MessageTemplate" ADD CONSTRAINT "MessageTemplate_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;
