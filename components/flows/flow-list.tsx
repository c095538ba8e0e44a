"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";

export function FlowList() {
  const trpc = useTRPC();
  const router = useRouter();
  const flows = useQuery(trpc.flows.list.queryOptions());

  if (flows.isPending) return <TableSkeleton label="Loading flows" />;
  if (flows.isError) return <ErrorNote>Could not load the flows: {errorMessage(flows.error)}</ErrorNote>;
  if (flows.data.length === 0) {
    return (
      <div className="rounded-xl border border-slate-200 bg-white">
        <EmptyState title="No flows yet" icon="🧭">
          Flows are the conversations your bot holds. The demo flow is created on first start; new flows will appear here.
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">Name</th>
            <th scope="col" className="px-4 py-2 font-medium">Published</th>
            <th scope="col" className="px-4 py-2 font-medium">Channels</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Runs</th>
            <th scope="col" className="px-4 py-2 font-medium">Updated</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {flows.data.map((flow) => (
            <tr
              key={flow.id}
              data-testid="flow-row"
              className="cursor-pointer hover:bg-slate-50"
              onClick={() => router.push(`/flows/${flow.id}`)}
            >
              <td className="px-4 py-2.5 font-medium">
                <Link href={`/flows/${flow.id}`} className="text-slate-900 hover:text-brand-700 focus-visible:outline-2 focus-visible:outline-brand-600">
                  {flow.name}
                </Link>
              </td>
              <td className="px-4 py-2.5">
                {flow.publishedVersion ? (
                  <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700 ring-1 ring-emerald-200">
                    v{flow.publishedVersion}
                  </span>
                ) : (
                  <span className="text-xs text-slate-400">draft only</span>
                )}
              </td>
              <td className="px-4 py-2.5 text-slate-600">{flow.channels.length > 0 ? flow.channels.join(", ") : <span className="text-slate-400">none</span>}</td>
              <td className="px-4 py-2.5 text-right tabular-nums text-slate-600">{flow.runs}</td>
              <td className="px-4 py-2.5 text-slate-500" title={formatDateTime(flow.updatedAt)}>
                {formatRelative(flow.updatedAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
