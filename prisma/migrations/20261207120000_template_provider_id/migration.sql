-- AlterTable
ALTER TABLE "MessageTemplate" ADD COLUMN "providerTemplateId" TEXT;
