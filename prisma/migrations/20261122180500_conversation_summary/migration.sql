-- CreateTable
CREATE TABLE "ConversationSummary" (
    "conversationId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "turns" INTEGER NOT NULL,
    "throughSeq" BIGINT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConversationSummary_pkey" PRIMARY KEY ("conversationId")
);

-- AddForeignKey
ALTER TABLE "ConversationSummary" ADD CONSTRAINT "ConversationSummary_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

