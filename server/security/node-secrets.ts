// Secrets node types declare (`secrets` in defineNode: a Shopify token, a Google API token),
// stored per workspace with encryptSecret. The API lists which are set, never their values;
// runs read them through FlowServices.readSecret (ctx.secret), decrypted on the server only.
import { nodeDefinitions } from "@/flows/registry";
import { db } from "@/server/db/client";
import { decryptSecret, encryptSecret } from "./secrets";

export interface NodeSecretStatus {
  nodeType: string;
  nodeTitle: string;
  nodeIcon: string;
  name: string;
  label: string;
  description: string | null;
  /** Null when no value is stored; `last4` is empty for secrets under 12 characters. */
  stored: { last4: string; updatedAt: Date } | null;
}

/** Every secret the installed node types declare, with whether the workspace has stored it. */
export async function listNodeSecrets(workspaceId: string): Promise<NodeSecretStatus[]> {
  const rows = await db().nodeSecret.findMany({ where: { workspaceId }, select: { nodeType: true, name: true, last4: true, updatedAt: true } });
  const stored = new Map(rows.map((row) => [`${row.nodeType}\u0000${row.name}`, { last4: row.last4, updatedAt: row.updatedAt }]));
  return nodeDefinitions().flatMap((definition) =>
    (definition.secrets ?? []).map((secret) => ({
      nodeType: definition.type,
      nodeTitle: definition.title,
      nodeIcon: definition.icon,
      name: secret.name,
      label: secret.label,
      description: secret.description ?? null,
      stored: stored.get(`${definition.type}\u0000${secret.name}`) ?? null,
    })),
  );
}

/** The declared secret, or a sentence saying why there is none (the type is not installed, or declares no such secret). */
export function declaredSecret(nodeType: string, name: string): { label: string } | { error: string } {
  const definition = nodeDefinitions().find((candidate) => candidate.type === nodeType);
  if (!definition) return { error: `No node type “${nodeType}” is installed.` };
  const secret = definition.secrets?.find((candidate) => candidate.name === name);
  return secret ?? { error: `The node type “${nodeType}” declares no secret “${name}”.` };
}

export async function setNodeSecret(input: { workspaceId: string; userId: string; nodeType: string; name: string; value: string }): Promise<void> {
  const valueCipher = encryptSecret(input.value);
  // The end of a short secret would give away too much of it.
  const last4 = input.value.length >= 12 ? input.value.slice(-4) : "";
  const key = { workspaceId: input.workspaceId, nodeType: input.nodeType, name: input.name };
  await db().$transaction(async (tx) => {
    await tx.nodeSecret.upsert({
      where: { workspaceId_nodeType_name: key },
      create: { ...key, valueCipher, last4, updatedById: input.userId },
      update: { valueCipher, last4, updatedById: input.userId },
    });
    await tx.auditLog.create({
      data: { workspaceId: input.workspaceId, userId: input.userId, action: "node_secret.set", target: `${input.nodeType}.${input.name}`, details: {} },
    });
  });
}

/** False when nothing was stored. */
export async function removeNodeSecret(input: { workspaceId: string; userId: string; nodeType: string; name: string }): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const removed = await tx.nodeSecret.deleteMany({ where: { workspaceId: input.workspaceId, nodeType: input.nodeType, name: input.name } });
    if (removed.count === 0) return false;
    await tx.auditLog.create({
      data: { workspaceId: input.workspaceId, userId: input.userId, action: "node_secret.remove", target: `${input.nodeType}.${input.name}`, details: {} },
    });
    return true;
  });
}

/** FlowServices.readSecret: the secret of the conversation's workspace, decrypted; null when not stored. */
export async function readNodeSecretForRun(input: { conversationId: string; nodeType: string; name: string }): Promise<string | null> {
  const conversation = await db().conversation.findUniqueOrThrow({ where: { id: input.conversationId }, select: { workspaceId: true } });
  const row = await db().nodeSecret.findUnique({
    where: { workspaceId_nodeType_name: { workspaceId: conversation.workspaceId, nodeType: input.nodeType, name: input.name } },
    select: { valueCipher: true },
  });
  return row ? decryptSecret(row.valueCipher) : null;
}
