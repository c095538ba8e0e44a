-- AlterTable
ALTER TABLE "Broadcast" ADD COLUMN     "buttonParameters" JSONB,
ADD COLUMN     "header" JSONB;

