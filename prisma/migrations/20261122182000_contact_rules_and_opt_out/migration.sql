-- AlterTable
ALTER TABLE "Channel" ADD COLUMN     "allowlist" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "blocklist" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "contactRule" TEXT NOT NULL DEFAULT 'everyone',
ADD COLUMN     "optInKeywords" TEXT[] DEFAULT ARRAY['START']::TEXT[],
ADD COLUMN     "optOutKeywords" TEXT[] DEFAULT ARRAY['STOP', 'UNSUBSCRIBE']::TEXT[],
ADD COLUMN     "optOutReply" TEXT NOT NULL DEFAULT 'You will not receive messages from us anymore. Reply START to opt back in.';

-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "optedInAt" TIMESTAMP(3),
ADD COLUMN     "optedOutAt" TIMESTAMP(3);

