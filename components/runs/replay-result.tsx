"use client";
// The regression check: this run's messages played to the flow's current draft, with the
// draft's answers beside the recorded ones, turn by turn.
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/notice";

export function ReplayResult({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const replay = useMutation(trpc.runs.replay.mutationOptions());
  const result = replay.data;
  return (
    <section aria-labelledby="replay-title" className="rounded-xl border border-slate-200 bg-white" data-testid="replay">
      <div className="flex flex-wrap items-center gap-3 px-4 py-2">
        <h2 id="replay-title" className="text-sm font-semibold">
          Replay against the draft
        </h2>
        <p className="flex-1 text-xs text-slate-500">
          Plays this run&apos;s messages to the flow&apos;s current draft and shows where it answers differently. Nothing is sent or stored; models and documents
          answer for real, and only reading HTTP requests (GET) are made.
        </p>
        <Button onClick={() => replay.mutate({ id: runId })} disabled={replay.isPending} data-testid="replay-run">
          {replay.isPending ? "Replaying…" : result ? "Replay again" : "Replay"}
        </Button>
      </div>
      {replay.isError ? <ErrorNote className="mx-4 mb-3">{errorMessage(replay.error)}</ErrorNote> : null}
      {result ? (
        <div className="border-t border-slate-200">
          <p className="px-4 py-2 text-sm" data-testid="replay-summary">
            {result.differences === 0 ? (
              <span className="font-medium text-emerald-700">The draft answers every message as this run did.</span>
            ) : (
              <span className="font-medium text-amber-800">
                The draft answers {result.differences} of {result.turns.length} message{result.turns.length === 1 ? "" : "s"} differently.
              </span>
            )}{" "}
            <span className="text-slate-500">
              Draft revision {result.draftRevision}; the draft&apos;s run {result.draftStatus === "waiting" ? "waits for more" : result.draftStatus}
              {result.draftError ? ` (${result.draftError})` : ""}
              {result.modelCalls > 0 ? `; ${result.modelCalls} model call${result.modelCalls === 1 ? "" : "s"}` : ""}.
            </span>
          </p>
          <table className="w-full table-fixed text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="w-1/4 px-4 py-1.5 font-medium">Contact wrote</th>
                <th scope="col" className="px-4 py-1.5 font-medium">The run answered</th>
                <th scope="col" className="px-4 py-1.5 font-medium">The draft answers</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {result.turns.map((turn, index) => (
                <tr key={index} data-testid="replay-turn" data-same={turn.same} className={turn.same ? "" : "bg-amber-50"}>
                  <td className="px-4 py-2 align-top">{turn.heard ?? <span className="italic text-slate-500">(run started without a message)</span>}</td>
                  <td className="whitespace-pre-wrap px-4 py-2 align-top text-slate-700">{turn.recorded.join("\n\n") || <span className="italic text-slate-400">nothing</span>}</td>
                  <td className="whitespace-pre-wrap px-4 py-2 align-top text-slate-700">
                    {turn.draft.join("\n\n") || <span className="italic text-slate-400">nothing</span>}
                    {turn.same ? null : <span className="ml-2 rounded bg-amber-200 px-1.5 text-xs font-medium text-amber-900">differs</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
