"use client";
// The inbox: every conversation on the left, filtered and searched; the chosen one on the
// right as the customer saw it, where an admin can take over from the bot.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";
import { ConversationView } from "./conversation-view";
import { STATE_LABELS, StateBadge, type ConversationState } from "./state-badge";

const STATES = Object.keys(STATE_LABELS) as ConversationState[];

export function Inbox({ conversationId, canAct, canTag }: { conversationId: string | null; canAct: boolean; canTag: boolean }) {
  return (
    <div className="flex h-full min-h-0">
      <ConversationList selectedId={conversationId} />
      <div className="min-w-0 flex-1 border-l border-slate-200">
        {conversationId ? (
          <ConversationView key={conversationId} conversationId={conversationId} canAct={canAct} canTag={canTag} />
        ) : (
          <EmptyState title="Pick a conversation" icon="💬">
            Choose a conversation on the left to read it as the customer saw it, see which run answered, and take over from the bot.
          </EmptyState>
        )}
      </div>
    </div>
  );
}

function ConversationList({ selectedId }: { selectedId: string | null }) {
  const trpc = useTRPC();
  const [searchDraft, setSearchDraft] = useState("");
  const [search, setSearch] = useState("");
  const [state, setState] = useState<ConversationState | undefined>();
  const [channelId, setChannelId] = useState<string | undefined>();
  const channels = useQuery(trpc.channels.list.queryOptions());
  const list = useInfiniteQuery({
    ...trpc.conversations.list.infiniteQueryOptions(
      { search: search || undefined, state, channelId, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    refetchInterval: 4000,
  });
  const rows = list.data?.pages.flatMap((page) => page.conversations) ?? [];
  const filtered = Boolean(search || state || channelId);

  return (
    <aside className="flex w-96 shrink-0 flex-col bg-white" aria-label="Conversations">
      <form
        role="search"
        className="space-y-2 border-b border-slate-200 p-3"
        onSubmit={(event) => {
          event.preventDefault();
          setSearch(searchDraft.trim());
        }}
      >
        <div className="flex gap-2">
          <input
            type="search"
            className="field flex-1 py-1"
            placeholder="Search contacts and messages"
            aria-label="Search contacts and messages"
            data-testid="inbox-search"
            value={searchDraft}
            onChange={(event) => {
              setSearchDraft(event.target.value);
              if (event.target.value === "") setSearch("");
            }}
          />
          <Button type="submit">Search</Button>
        </div>
        <div className="flex gap-2">
          <select className="field flex-1 py-1 text-sm" aria-label="Status" value={state ?? ""} onChange={(event) => setState((event.target.value || undefined) as ConversationState | undefined)}>
            <option value="">Any status</option>
            {STATES.map((value) => (
              <option key={value} value={value}>
                {STATE_LABELS[value]}
              </option>
            ))}
          </select>
          <select className="field flex-1 py-1 text-sm" aria-label="Number" value={channelId ?? ""} onChange={(event) => setChannelId(event.target.value || undefined)}>
            <option value="">All numbers</option>
            {channels.data?.map((channel) => (
              <option key={channel.id} value={channel.id}>
                {channel.name}
              </option>
            ))}
          </select>
        </div>
      </form>
      <div className="min-h-0 flex-1 overflow-y-auto">
        {list.isPending ? (
          <TableSkeleton label="Loading conversations" />
        ) : list.isError && rows.length === 0 ? (
          <ErrorNote className="m-3">Could not load the conversations: {errorMessage(list.error)}</ErrorNote>
        ) : rows.length === 0 ? (
          filtered ? (
            <EmptyState title="Nothing matches" icon="🔎">
              No conversation matches this search and these filters.
            </EmptyState>
          ) : (
            <EmptyState title="No conversations yet" icon="💬">
              Conversations appear here when contacts write to one of your numbers. Try the{" "}
              <Link href="/simulator" className="text-brand-700 underline">
                simulator
              </Link>
              .
            </EmptyState>
          )
        ) : (
          <ul className="divide-y divide-slate-100">
            {rows.map((row) => {
              const selected = row.id === selectedId;
              return (
                <li key={row.id}>
                  <Link
                    href={`/inbox/${row.id}`}
                    data-testid="inbox-conversation"
                    aria-current={selected ? "page" : undefined}
                    className={`block px-3 py-2.5 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-600 ${selected ? "bg-brand-50" : "hover:bg-slate-50"}`}
                  >
                    <div className="flex items-center gap-2">
                      <span className="truncate font-medium text-slate-900">{row.contact.name ?? (row.contact.number ?? "Unknown contact")}</span>
                      <span className="ml-auto shrink-0 text-xs text-slate-400">{formatRelative(row.lastMessageAt)}</span>
                    </div>
                    <div className="mt-0.5 flex items-center gap-2 text-xs text-slate-500">
                      {row.contact.name && row.contact.number ? <span className="font-mono">{row.contact.number}</span> : null}
                      <span className="truncate">{row.channel.name}</span>
                      <span className="ml-auto shrink-0">
                        <StateBadge state={row.state} />
                      </span>
                    </div>
                    <p className="mt-1 truncate text-sm text-slate-600">
                      {row.match ? (
                        <span data-testid="inbox-match">“{row.match}”</span>
                      ) : row.lastMessage ? (
                        <>
                          {row.lastMessage.direction === "outbound" ? <span className="text-slate-400">You: </span> : null}
                          {row.lastMessage.text ?? `[${row.lastMessage.type}]`}
                        </>
                      ) : (
                        <span className="italic text-slate-400">no messages</span>
                      )}
                    </p>
                  </Link>
                </li>
              );
            })}
          </ul>
        )}
        {list.hasNextPage ? (
          <div className="p-2 text-center">
            <Button onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage ? "Loading…" : "Show older conversations"}
            </Button>
          </div>
        ) : null}
      </div>
    </aside>
  );
}
