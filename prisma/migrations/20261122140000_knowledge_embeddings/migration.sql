-- AlterTable
ALTER TABLE "KnowledgeChunk" ADD COLUMN     "embedding" DOUBLE PRECISION[],
ADD COLUMN     "embeddingModel" TEXT;

-- AlterTable
ALTER TABLE "ModelProvider" ADD COLUMN     "embeddingModel" TEXT;

