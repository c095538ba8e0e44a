-- CreateTable
CREATE TABLE "NodeSecret" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "nodeType" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "valueCipher" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "updatedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NodeSecret_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "NodeSecret_workspaceId_nodeType_name_key" ON "NodeSecret"("workspaceId", "nodeType", "name");

-- AddForeignKey
ALTER TABLE "NodeSecret" ADD CONSTRAINT "NodeSecret_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

