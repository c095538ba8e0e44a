-- AlterEnum
ALTER TYPE "BroadcastStatus" ADD VALUE 'scheduled';

-- AlterTable
ALTER TABLE "Broadcast" ADD COLUMN     "scheduledFor" TIMESTAMP(3);

