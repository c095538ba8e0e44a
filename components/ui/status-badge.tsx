const STYLES: Record<string, string> = {
  running: "bg-blue-100 text-blue-800 ring-blue-200",
  sending: "bg-blue-100 text-blue-800 ring-blue-200",
  scheduled: "bg-violet-100 text-violet-800 ring-violet-200",
  waiting: "bg-amber-100 text-amber-800 ring-amber-200",
  completed: "bg-emerald-100 text-emerald-800 ring-emerald-200",
  failed: "bg-red-100 text-red-800 ring-red-200",
  cancelled: "bg-slate-100 text-slate-700 ring-slate-200",
};

/** A run's or a broadcast's status. */
export function StatusBadge({ status, testId = "run-status" }: { status: string; testId?: string }) {
  return (
    <span
      data-testid={testId}
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[status] ?? STYLES.cancelled}`}
    >
      {status}
    </span>
  );
}
