// API keys external systems use to post events (POST /api/events). The key is shown once
// when created; only its SHA-256 is stored, so a database leak gives no usable key.
import { randomBytes } from "node:crypto";
import { db } from "@/server/db/client";
import { sha256Hex } from "./secrets";

const KEY_PREFIX = "pk_";
/** Characters of the key kept in clear, so people can tell their keys apart. */
const SHOWN_CHARS = 10;
/** lastUsedAt is written at most this often per key: a busy integration should not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function createApiKey(input: { workspaceId: string; name: string; userId: string }): Promise<{ id: string; key: string }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const created = await db().$transaction(async (tx) => {
    const row = await tx.apiKey.create({
      data: { workspaceId: input.workspaceId, name: input.name, prefix: key.slice(0, SHOWN_CHARS), hash: sha256Hex(key), createdById: input.userId },
      select: { id: true },
    });
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: "api_key.create", target: row.id, details: { name: input.name } } });
    return row;
  });
  return { id: created.id, key };
}

export async function revokeApiKey(input: { workspaceId: string; id: string; userId: string }): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const revoked = await tx.apiKey.updateMany({ where: { id: input.id, workspaceId: input.workspaceId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (revoked.count === 0) return false;
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: "api_key.revoke", target: input.id, details: {} } });
    return true;
  });
}

/** The workspace a `Bearer pk_…` Authorization header belongs to, or null for a missing, unknown or revoked key. */
export async function authenticateApiKey(authorization: string | null): Promise<{ workspaceId: string; keyId: string } | null> {
  const key = /^Bearer\s+(pk_[A-Za-z0-9_-]{20,100})$/.exec(authorization ?? "")?.[1];
  if (!key) return null;
  const row = await db().apiKey.findUnique({ where: { hash: sha256Hex(key) }, select: { id: true, workspaceId: true, revokedAt: true, lastUsedAt: true } });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db().apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { workspaceId: row.workspaceId, keyId: row.id };
}
