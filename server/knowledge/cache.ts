// The lookup cache behind `ctx.cached`: a node's result kept for one conversation until it
// expires, across that conversation's runs. Keys are hashed (they hold the contact's query).
import { createHash } from "node:crypto";
import { db, Prisma } from "@/server/db/client";

interface CacheAddress {
  conversationId: string;
  nodeId: string;
  key: string;
}

const where = ({ conversationId, nodeId, key }: CacheAddress) => ({
  conversationId_nodeId_keyHash: { conversationId, nodeId, keyHash: createHash("sha256").update(key).digest("hex") },
});

export async function readLookupCache(address: CacheAddress): Promise<{ value: unknown } | null> {
  const row = await db().lookupCache.findUnique({ where: where(address), select: { value: true, expiresAt: true } });
  return row && row.expiresAt.getTime() > Date.now() ? { value: row.value } : null;
}

export async function writeLookupCache(input: CacheAddress & { value: unknown; ttlMs: number }): Promise<void> {
  const expiresAt = new Date(Date.now() + input.ttlMs);
  const value = (input.value ?? Prisma.JsonNull) as Prisma.InputJsonValue;
  const { conversationId_nodeId_keyHash: id } = where(input);
  await db().$transaction([
    // Expired entries of the conversation go as new ones come, so the table stays small.
    db().lookupCache.deleteMany({ where: { conversationId: input.conversationId, expiresAt: { lte: new Date() } } }),
    db().lookupCache.upsert({ where: { conversationId_nodeId_keyHash: id }, create: { ...id, value, expiresAt }, update: { value, expiresAt } }),
  ]);
}
