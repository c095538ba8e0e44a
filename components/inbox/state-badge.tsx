// A conversation's state in the inbox: who answers it now.
import type { ConversationState } from "@/server/conversations/review";

export type { ConversationState };

export const STATE_LABELS: Record<ConversationState, string> = {
  bot_active: "Bot active",
  waiting: "Waiting for reply",
  handed_off: "Handed off",
  closed: "Closed",
};

const STYLES: Record<ConversationState, string> = {
  bot_active: "bg-blue-100 text-blue-800",
  waiting: "bg-amber-100 text-amber-800",
  handed_off: "bg-violet-100 text-violet-800",
  closed: "bg-slate-100 text-slate-600",
};

export function StateBadge({ state }: { state: ConversationState }) {
  return (
    <span data-testid="conversation-state" data-state={state} className={`rounded-full px-2 py-0.5 text-xs font-medium ${STYLES[state]}`}>
      {STATE_LABELS[state]}
    </span>
  );
}
