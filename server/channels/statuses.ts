// Delivery statuses (sent, delivered, read, failed) arrive on the webhook in no guaranteed
// order, and can even arrive before the send call has stored the wamid. Every status is
// kept by the provider's message id; a message's status only moves forward, and "failed"
// wins over all. A failed status's error is recorded on the message with its meaning.
import { db, Prisma } from "@/server/db/client";
import { sql } from "@/server/db/sql";
import type { MessageStatus } from "@/server/db/generated/enums";
import { count } from "@/server/observability/metrics";
import { deliveryErrorSchema, type DeliveryError } from "./delivery-errors";
import type { ParsedStatus } from "./provider";

const STATUS_RANK: Record<string, number> = { received: 0, pending: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

function advances(next: string, current: string): next is MessageStatus {
  const rank = STATUS_RANK[next];
  return rank !== undefined && rank > (STATUS_RANK[current] ?? 0);
}

export async function recordStatus(status: ParsedStatus): Promise<void> {
  const message = await db().message.findUnique({ where: { wamid: status.wamid }, select: { id: true, status: true } });
  await db().messageStatusEvent.createMany({
    data: [
      {
        wamid: status.wamid,
        status: status.status,
        timestamp: status.timestamp,
        // The provider's errors as received, with the meaning Parley gave the first.
        errors: status.errors ? ({ received: status.errors, error: status.error } as Prisma.InputJsonValue) : undefined,
        messageId: message?.id,
      },
    ],
    skipDuplicates: true,
  });
  if (status.status === "failed" && message?.status !== "failed") count.messageFailed(status.error?.code ?? null);
  if (!message || !advances(status.status, message.status)) return;
  await db().message.update({
    where: { id: message.id },
    data: { status: status.status, ...(status.error ? { error: status.error as Prisma.InputJsonValue } : {}) },
  });
}

/** A status event that arrived before its send stored the wamid, as linkEarlyStatuses returns it. */
export interface EarlyStatusEvent {
  status: string;
  errors: unknown;
}

/**
 * The statement linking the status events that arrived before a send stored its wamid to the
 * message, returning them (EarlyStatusEvent). Every send runs it and almost never finds one,
 * so the send makes it the last part of its own statement.
 */
export function linkEarlyStatuses(messageId: string, wamid: string): Prisma.Sql {
  return Prisma.sql`UPDATE "MessageStatusEvent" SET "messageId" = ${messageId} WHERE wamid = ${wamid} AND "messageId" IS NULL RETURNING status, errors`;
}

/** Applies the latest of the early status events linked to a message; returns the one applied. */
export async function applyEarlyStatuses(messageId: string, early: EarlyStatusEvent[]): Promise<{ status: MessageStatus; error: DeliveryError | null } | null> {
  if (early.length === 0) return null;
  const latest = early.reduce((best, event) => ((STATUS_RANK[event.status] ?? 0) > (STATUS_RANK[best.status] ?? 0) ? event : best));
  if (!advances(latest.status, "sent")) return null;
  const error = earlyError(latest.errors);
  await db().message.update({
    where: { id: messageId },
    data: { status: latest.status, ...(error ? { error: error as Prisma.InputJsonValue } : {}) },
  });
  return { status: latest.status, error };
}

/** The meaning an early status event was stored with (see recordStatus). */
function earlyError(errors: unknown): DeliveryError | null {
  return deliveryErrorSchema.safeParse((errors as { error?: unknown } | null)?.error).data ?? null;
}
