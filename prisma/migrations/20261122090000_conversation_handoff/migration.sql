-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "handedOffAt" TIMESTAMP(3),
ADD COLUMN     "handoffReason" TEXT;

