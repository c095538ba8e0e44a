"use client";
// Handing a conversation back to the bot: either the bot answers the contact's next message
// as usual, or it continues the conversation's last run at a node the person picks (with
// that run's variables), e.g. right after the question the person has just answered.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { nodeDefinition } from "@/flows/registry";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorNote } from "@/components/ui/notice";

interface LastRun {
  id: string;
  flow: { name: string };
  version: number;
}

export function HandBackDialog({ conversationId, lastRun, onClose, onDone }: { conversationId: string; lastRun: LastRun | null; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const [mode, setMode] = useState<"next_message" | "continue_at">("next_message");
  const [chosenNode, setChosenNode] = useState<string | null>(null);
  const run = useQuery({ ...trpc.runs.get.queryOptions({ id: lastRun?.id ?? "" }), enabled: lastRun !== null });
  const handBack = useMutation(trpc.conversations.handBack.mutationOptions({ onSuccess: onDone }));
  const nodes = (run.data?.graph?.nodes ?? []).filter((node) => !nodeDefinition(node.type)?.trigger);
  // Where the run was when it stopped: the last node it ran.
  const lastNode = run.data?.traces.filter((trace) => !trace.nodeId.includes("/")).at(-1)?.nodeId ?? null;
  const nodeId = chosenNode ?? lastNode ?? nodes[0]?.id ?? null;

  return (
    <ConfirmDialog
      open
      title="Hand the conversation back to the bot"
      confirmLabel={handBack.isPending ? "Handing back…" : "Hand back"}
      onCancel={onClose}
      onConfirm={() => {
        if (mode === "continue_at" && lastRun && nodeId) handBack.mutate({ conversationId, to: { kind: "continue_at", runId: lastRun.id, nodeId } });
        else handBack.mutate({ conversationId, to: { kind: "next_message" } });
      }}
    >
      <fieldset className="space-y-3 text-sm" data-testid="hand-back-options">
        <legend className="sr-only">How the bot picks up</legend>
        <label className="flex items-start gap-2">
          <input type="radio" name="hand-back" className="mt-1" checked={mode === "next_message"} onChange={() => setMode("next_message")} />
          <span>
            <span className="font-medium text-slate-900">When the contact writes next</span>
            <span className="block text-slate-500">Their next message starts whichever flow it matches.</span>
          </span>
        </label>
        <label className={`flex items-start gap-2 ${lastRun ? "" : "opacity-50"}`}>
          <input type="radio" name="hand-back" className="mt-1" disabled={!lastRun} checked={mode === "continue_at"} onChange={() => setMode("continue_at")} data-testid="hand-back-continue" />
          <span className="min-w-0 flex-1">
            <span className="font-medium text-slate-900">Continue {lastRun ? `“${lastRun.flow.name}” v${lastRun.version}` : "the last run"} at a node</span>
            <span className="block text-slate-500">The bot carries on now from that node, with what the run already knew.</span>
            {mode === "continue_at" ? (
              <select className="field mt-1 w-full py-1" aria-label="Node" data-testid="hand-back-node" value={nodeId ?? ""} onChange={(event) => setChosenNode(event.target.value)}>
                {nodes.map((node) => (
                  <option key={node.id} value={node.id}>
                    {node.label?.trim() || nodeDefinition(node.type)?.title || node.type} ({node.id})
                  </option>
                ))}
              </select>
            ) : null}
          </span>
        </label>
        {run.isError ? <ErrorNote>Could not load the last run: {errorMessage(run.error)}</ErrorNote> : null}
        {handBack.isError ? <ErrorNote>{errorMessage(handBack.error)}</ErrorNote> : null}
      </fieldset>
    </ConfirmDialog>
  );
}
