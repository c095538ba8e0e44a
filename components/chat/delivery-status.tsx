"use client";
// How far an outbound message got, drawn the way WhatsApp shows it to the business: a clock
// while sending, one tick sent, two delivered, two blue read, and a failure with the
// provider's code and what it means.

export interface DeliveryError {
  code: number | null;
  meaning: string;
}

const TICKS: Record<string, { mark: string; label: string; className: string }> = {
  pending: { mark: "🕓", label: "sending", className: "text-slate-400" },
  sent: { mark: "✓", label: "sent", className: "text-slate-500" },
  delivered: { mark: "✓✓", label: "delivered", className: "text-slate-500" },
  read: { mark: "✓✓", label: "read", className: "text-sky-500" },
};

export function DeliveryStatus({ status, error }: { status: string; error: DeliveryError | null }) {
  if (status === "failed") {
    return (
      <span data-testid="delivery-status" data-status="failed" className="font-medium text-red-700" title={error?.meaning}>
        ⚠ failed{error?.code !== null && error?.code !== undefined ? ` (${error.code})` : ""}
      </span>
    );
  }
  const tick = TICKS[status];
  if (!tick) return null;
  return (
    <span data-testid="delivery-status" data-status={status} className={tick.className} title={tick.label} aria-label={tick.label}>
      {tick.mark}
    </span>
  );
}

/** The failure's meaning under a failed message, so nobody has to hover to learn why. */
export function DeliveryFailure({ error }: { error: DeliveryError | null }) {
  return (
    <p data-testid="delivery-error" className="mt-1 rounded bg-red-50 px-1.5 py-1 text-xs text-red-800">
      {error ? `${error.code !== null ? `Error ${error.code}: ` : ""}${error.meaning}` : "Not delivered; the provider gave no reason."}
    </p>
  );
}
