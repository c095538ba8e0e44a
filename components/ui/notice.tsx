import type { ReactNode } from "react";

export function ErrorNote({ children, className = "" }: { children: ReactNode; className?: string }) {
  if (!children) return null;
  return (
    <div role="alert" className={`rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 ${className}`}>
      {children}
    </div>
  );
}

export function EmptyState({ title, children, icon = "🗒️" }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div className="flex flex-col items-center justify-center gap-2 px-6 py-16 text-center">
      <div aria-hidden className="text-4xl">
        {icon}
      </div>
      <h2 className="text-base font-semibold text-slate-800">{title}</h2>
      {children ? <div className="max-w-md text-sm text-slate-500">{children}</div> : null}
    </div>
  );
}
