-- AlterTable
ALTER TABLE "SimulatorMessage" ADD COLUMN     "readAt" TIMESTAMP(3);

