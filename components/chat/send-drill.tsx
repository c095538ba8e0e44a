"use client";
// The simulator's failure drills: make the number's next sends fail the way WhatsApp fails
// them (throughput, pair rate, undeliverable), to see a flow's error paths and the inbox's
// failed ticks without waiting for a bad day.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/notice";

export function SendDrill({ channelId }: { channelId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const drill = useQuery({ ...trpc.simulator.drill.queryOptions({ channelId }), refetchInterval: 2000 });
  const [kind, setKind] = useState("");
  const [count, setCount] = useState(1);
  const set = useMutation(trpc.simulator.setDrill.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.simulator.drill.queryKey({ channelId }) }) }));
  const current = drill.data?.current;
  const labelOf = (value: string) => drill.data?.kinds.find((option) => option.kind === value)?.label ?? value;

  return (
    <fieldset className="space-y-2 rounded-lg border border-slate-200 p-3" data-testid="send-drill">
      <legend className="px-1 text-xs font-medium text-slate-700">Failure drill</legend>
      <p className="text-xs text-slate-500">Make the bot&apos;s next sends fail as WhatsApp would.</p>
      {current ? (
        <p className="text-xs font-medium text-amber-800" data-testid="send-drill-current">
          Next {current.remaining} send{current.remaining === 1 ? "" : "s"}: {labelOf(current.kind)}
        </p>
      ) : null}
      <div className="flex gap-2">
        <select className="field min-w-0 flex-1 py-1 text-sm" aria-label="Failure" value={kind} onChange={(event) => setKind(event.target.value)}>
          <option value="">Choose a failure</option>
          {drill.data?.kinds.map((option) => (
            <option key={option.kind} value={option.kind}>
              {option.label}
            </option>
          ))}
        </select>
        <input className="field w-14 py-1 text-sm" type="number" min={1} max={20} aria-label="How many sends" value={count} onChange={(event) => setCount(Math.min(20, Math.max(1, Number(event.target.value) || 1)))} />
      </div>
      <div className="flex gap-2">
        <Button
          className="flex-1"
          disabled={!kind || set.isPending}
          onClick={() => set.mutate({ channelId, drill: { kind: kind as NonNullable<typeof current>["kind"], count } })}
        >
          Arm
        </Button>
        <Button variant="ghost" disabled={!current || set.isPending} onClick={() => set.mutate({ channelId, drill: null })}>
          Disarm
        </Button>
      </div>
      {set.isError ? <ErrorNote>{errorMessage(set.error)}</ErrorNote> : null}
    </fieldset>
  );
}
