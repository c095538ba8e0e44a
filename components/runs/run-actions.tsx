"use client";
// What an admin can do to a run: stop one that is running or waiting, and run a failed one
// again from the node that failed. Both ask first; both are recorded in the audit log.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorNote } from "@/components/ui/notice";

interface ActionableRun {
  id: string;
  status: string;
  continuedBy: { id: string }[];
}

export function RunActions({ run, failedNodeId }: { run: ActionableRun; failedNodeId: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [confirming, setConfirming] = useState<"cancel" | "retry" | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: run.id }) });
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: refresh }));
  const retry = useMutation(trpc.runs.retry.mutationOptions({ onSuccess: (started) => router.push(`/runs/${started.runId}`) }));
  const failure = cancel.error ?? retry.error;
  const canRetry = run.status === "failed" && run.continuedBy.length === 0;

  return (
    <div className="ml-auto flex flex-wrap items-center gap-2">
      {run.status === "running" || run.status === "waiting" ? (
        <Button variant="danger" onClick={() => setConfirming("cancel")} disabled={cancel.isPending} data-testid="run-cancel">
          {cancel.isPending ? "Cancelling…" : "Cancel run"}
        </Button>
      ) : null}
      {canRetry ? (
        <Button variant="primary" onClick={() => setConfirming("retry")} disabled={retry.isPending} data-testid="run-retry">
          {retry.isPending ? "Retrying…" : failedNodeId ? `Retry from ${failedNodeId}` : "Retry"}
        </Button>
      ) : null}
      {failure ? <ErrorNote className="w-full">{errorMessage(failure)}</ErrorNote> : null}
      <ConfirmDialog
        open={confirming === "cancel"}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        danger
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          setConfirming(null);
          cancel.mutate({ id: run.id });
        }}
      >
        The bot stops here and sends nothing more in this run. The contact&apos;s next message starts a flow again.
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === "retry"}
        title={`Retry from ${failedNodeId ?? "the failed node"}?`}
        confirmLabel="Retry"
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          setConfirming(null);
          retry.mutate({ id: run.id });
        }}
      >
        A new run of the same version continues from that node with this run&apos;s variables. Messages it already sent are not sent again; the failed node runs
        again.
      </ConfirmDialog>
    </div>
  );
}
