// Where a broadcast's recipients stand, as one stacked bar with its legend: read at a glance
// how far it got and how much of it landed.
import type { RecipientCounts, RecipientState } from "@/server/broadcasts/broadcasts";

export const STATE_STYLES: Record<RecipientState, { label: string; bar: string; chip: string }> = {
  read: { label: "Read", bar: "bg-emerald-600", chip: "bg-emerald-100 text-emerald-800 ring-emerald-200" },
  delivered: { label: "Delivered", bar: "bg-emerald-400", chip: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  sent: { label: "Sent", bar: "bg-sky-400", chip: "bg-sky-100 text-sky-800 ring-sky-200" },
  queued: { label: "Queued", bar: "bg-slate-200", chip: "bg-slate-100 text-slate-700 ring-slate-200" },
  failed: { label: "Failed", bar: "bg-red-500", chip: "bg-red-100 text-red-800 ring-red-200" },
  skipped: { label: "Skipped", bar: "bg-amber-400", chip: "bg-amber-100 text-amber-800 ring-amber-200" },
  cancelled: { label: "Cancelled", bar: "bg-slate-400", chip: "bg-slate-100 text-slate-600 ring-slate-200" },
};
const ORDER: RecipientState[] = ["read", "delivered", "sent", "failed", "skipped", "cancelled", "queued"];

export function recipientTotal(counts: RecipientCounts): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

export function RecipientBar({ counts, legend = true }: { counts: RecipientCounts; legend?: boolean }) {
  const total = recipientTotal(counts);
  const done = total - counts.queued;
  return (
    <div className="space-y-1.5">
      <div
        className="flex h-2.5 w-full overflow-hidden rounded-full bg-slate-100"
        role="progressbar"
        aria-label="Recipients done"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        data-testid="broadcast-progress"
      >
        {ORDER.filter((state) => counts[state] > 0).map((state) => (
          <div key={state} className={STATE_STYLES[state].bar} style={{ width: `${(counts[state] / Math.max(1, total)) * 100}%` }} title={`${STATE_STYLES[state].label}: ${counts[state]}`} />
        ))}
      </div>
      {legend ? (
        <ul className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-600">
          {ORDER.filter((state) => counts[state] > 0).map((state) => (
            <li key={state} className="flex items-center gap-1" data-testid={`broadcast-count-${state}`}>
              <span aria-hidden className={`size-2 rounded-full ${STATE_STYLES[state].bar}`} />
              {STATE_STYLES[state].label} <span className="tabular-nums font-medium text-slate-800">{counts[state].toLocaleString()}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
