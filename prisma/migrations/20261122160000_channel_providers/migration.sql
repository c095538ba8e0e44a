-- AlterTable
ALTER TABLE "Channel" ADD COLUMN     "accountId" TEXT,
ADD COLUMN     "provider" TEXT NOT NULL DEFAULT 'whatsapp_cloud';

