"use client";
import type { Diagnostic } from "@/flows/validator";

export function DiagnosticsPanel({ diagnostics, onSelectNode }: { diagnostics: Diagnostic[]; onSelectNode: (nodeId: string) => void }) {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  return (
    <section aria-labelledby="diagnostics-title" className="p-4" data-testid="diagnostics">
      <h2 id="diagnostics-title" className="mb-2 flex items-center gap-2 text-sm font-semibold text-slate-900">
        Checks
        {errors > 0 ? <span className="rounded-full bg-red-100 px-2 text-xs font-medium text-red-800">{errors} errors</span> : null}
        {warnings > 0 ? <span className="rounded-full bg-amber-100 px-2 text-xs font-medium text-amber-800">{warnings} warnings</span> : null}
      </h2>
      {diagnostics.length === 0 ? (
        <p className="text-sm text-emerald-700">✓ No problems found: this flow can be published.</p>
      ) : (
        <ul className="space-y-1">
          {diagnostics.map((diagnostic, index) => {
            const body = (
              <>
                <span aria-hidden>{diagnostic.severity === "error" ? "⛔" : "⚠️"}</span>
                <span className="min-w-0 flex-1">
                  {diagnostic.nodeId ? <span className="mr-1 font-mono text-xs text-slate-500">{diagnostic.nodeId}</span> : null}
                  {diagnostic.message}
                </span>
              </>
            );
            const classes = `flex w-full items-start gap-2 rounded-md px-2 py-1.5 text-left text-sm ${
              diagnostic.severity === "error" ? "text-red-800" : "text-amber-800"
            }`;
            return (
              <li key={index} data-testid="diagnostic">
                {diagnostic.nodeId ? (
                  <button
                    type="button"
                    className={`${classes} hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-600`}
                    onClick={() => onSelectNode(diagnostic.nodeId!)}
                    title="Show this node"
                  >
                    {body}
                  </button>
                ) : (
                  <div className={classes}>{body}</div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
