"use client";
// A number's contact rules: everyone (but the blocked) or an allowlist, and the keywords by
// which contacts opt out of proactive messages and back in, with the reply to an opt-out.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

export function ContactRules({ channelId, canManage }: { channelId: string; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.channels.contactRules.queryOptions({ id: channelId }));
  const save = useMutation(trpc.channels.saveContactRules.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.channels.contactRules.queryKey({ id: channelId }) }) }));
  const [edited, setEdited] = useState<Record<string, string> | null>(null);

  if (rules.isPending) return <Spinner label="Loading the contact rules" />;
  if (rules.isError) return <ErrorNote>Could not load the contact rules: {errorMessage(rules.error)}</ErrorNote>;
  const form = edited ?? {
    contactRule: rules.data.contactRule,
    allowlist: rules.data.allowlist.join("\n"),
    blocklist: rules.data.blocklist.join("\n"),
    optOutKeywords: rules.data.optOutKeywords.join("\n"),
    optInKeywords: rules.data.optInKeywords.join("\n"),
    optOutReply: rules.data.optOutReply,
  };
  const set = (key: string, value: string) => setEdited({ ...form, [key]: value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(
      {
        id: channelId,
        rules: {
          contactRule: form.contactRule === "allowlist" ? "allowlist" : "everyone",
          allowlist: lines(form.allowlist ?? ""),
          blocklist: lines(form.blocklist ?? ""),
          optOutKeywords: lines(form.optOutKeywords ?? ""),
          optInKeywords: lines(form.optInKeywords ?? ""),
          optOutReply: form.optOutReply ?? "",
        },
      },
      { onSuccess: () => setEdited(null) },
    );
  };
  const area = (key: string, label: string, help: string) => (
    <label className="block space-y-1 text-sm">
      <span className="text-xs font-medium text-slate-700">{label}</span>
      <textarea className="field font-mono text-xs" rows={3} disabled={!canManage} value={form[key] ?? ""} onChange={(event) => set(key, event.target.value)} />
      <span className="block text-xs text-slate-500">{help}</span>
    </label>
  );
  return (
    <form onSubmit={submit} className="mt-3 space-y-3 rounded-lg border border-slate-200 bg-slate-50 p-3" data-testid="contact-rules">
      <fieldset className="space-y-1 text-sm">
        <legend className="text-xs font-medium text-slate-700">Who may start a conversation with the bot</legend>
        {(["everyone", "allowlist"] as const).map((rule) => (
          <label key={rule} className="mr-4 inline-flex items-center gap-2">
            <input type="radio" name={`rule-${channelId}`} disabled={!canManage} checked={form.contactRule === rule} onChange={() => set("contactRule", rule)} />
            {rule === "everyone" ? "Everyone but the blocked numbers" : "Only the allowed numbers"}
          </label>
        ))}
      </fieldset>
      <div className="grid gap-3 md:grid-cols-2">
        {area("allowlist", "Allowed numbers", "With country code, one per line. Used when only allowed numbers may start.")}
        {area("blocklist", "Blocked numbers", "Their messages are stored and shown in the inbox, and start nothing.")}
        {area("optOutKeywords", "Opt-out keywords", "A message that is exactly one of these (any case) stops schedules, API events and templates to the contact.")}
        {area("optInKeywords", "Opt-in keywords", "A message that is exactly one of these opts the contact back in.")}
      </div>
      <label className="block space-y-1 text-sm">
        <span className="text-xs font-medium text-slate-700">Reply to an opt-out</span>
        <input className="field" maxLength={1000} disabled={!canManage} value={form.optOutReply ?? ""} onChange={(event) => set("optOutReply", event.target.value)} />
        <span className="block text-xs text-slate-500">Empty: nothing is sent back.</span>
      </label>
      {save.isError ? <ErrorNote>{errorMessage(save.error)}</ErrorNote> : null}
      {canManage ? (
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={!edited || save.isPending}>
            {save.isPending ? "Saving…" : "Save contact rules"}
          </Button>
          {edited ? (
            <Button variant="ghost" onClick={() => setEdited(null)}>
              Undo changes
            </Button>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}
