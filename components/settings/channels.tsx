"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";
import { ContactRules } from "./contact-rules";

type Channel = inferRouterOutputs<AppRouter>["channels"]["list"][number];

/** Settings → WhatsApp numbers: the workspace's numbers, what to paste into Meta, the token test, the last webhooks and the flows on each. */
export function Channels({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const channels = useQuery(trpc.channels.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.channels.list.queryKey() });
  const [editing, setEditing] = useState<Channel | "new" | null>(null);
  const [removing, setRemoving] = useState<Channel | null>(null);
  const [created, setCreated] = useState<{ name: string; verifyToken: string } | null>(null);
  const remove = useMutation(trpc.channels.remove.mutationOptions({ onSuccess: () => void refresh() }));

  return (
    <section className="space-y-6">
      <p className="max-w-2xl text-sm text-slate-600">
        Each WhatsApp Business number has its own credentials, stored encrypted. For a number on Meta&apos;s Cloud API, set its callback URL and verify token in the app
        dashboard (WhatsApp → Configuration) and subscribe to the <code>messages</code> field; for a Twilio sender, set its callback URL as the sender&apos;s webhook for
        incoming messages. One callback URL serves every number of a provider: Parley tells them apart by number.
      </p>

      <div className="flex items-center justify-between">
        <h2 className="text-base font-semibold text-slate-900">Numbers</h2>
        {canManage && editing === null ? (
          <Button variant="primary" onClick={() => setEditing("new")}>
            Add number
          </Button>
        ) : null}
      </div>
      {created ? (
        <p role="status" className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-800">
          “{created.name}” is saved. Paste its verify token <code className="font-mono">{created.verifyToken}</code> into Meta with the callback URL.
        </p>
      ) : null}
      {editing === "new" ? (
        <ChannelForm
          onDone={(result) => {
            setEditing(null);
            if (result?.verifyToken) setCreated(result);
            void refresh();
          }}
        />
      ) : null}
      {channels.isPending ? (
        <TableSkeleton label="Loading the numbers" />
      ) : channels.isError ? (
        <ErrorNote>Could not load the numbers: {errorMessage(channels.error)}</ErrorNote>
      ) : channels.data.length === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white">
          <EmptyState title="No WhatsApp number yet" icon="📱">
            Add the number from Meta&apos;s WhatsApp → API Setup page with its access token and app secret.
          </EmptyState>
        </div>
      ) : (
        <ul className="space-y-3" data-testid="channels">
          {channels.data.map((channel) =>
            editing !== "new" && editing?.id === channel.id ? (
              <li key={channel.id}>
                <ChannelForm channel={channel} onDone={() => (setEditing(null), void refresh())} />
              </li>
            ) : (
              <ChannelCard key={channel.id} channel={channel} canManage={canManage} onEdit={() => setEditing(channel)} onRemove={() => setRemoving(channel)} onChanged={() => void refresh()} />
            ),
          )}
        </ul>
      )}
      {remove.isError ? <ErrorNote>{errorMessage(remove.error)}</ErrorNote> : null}

      <ConfirmDialog
        open={removing !== null}
        title={`Delete “${removing?.name}”?`}
        confirmLabel="Delete number"
        danger
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (removing) remove.mutate({ id: removing.id });
          setRemoving(null);
        }}
      >
        Its conversations, messages and runs are deleted with it, and Parley stops answering on it. Remove the callback in Meta too.
      </ConfirmDialog>
    </section>
  );
}

function CopyField({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="mt-1 flex items-center gap-2">
      <code className="min-w-0 flex-1 truncate rounded bg-slate-50 px-2 py-1 font-mono text-xs text-slate-800" data-testid={`copy-${label.replaceAll(" ", "-")}`}>
        {value}
      </code>
      <Button
        variant="ghost"
        aria-label={`Copy the ${label}`}
        onClick={() => void navigator.clipboard.writeText(value).then(() => (setCopied(true), setTimeout(() => setCopied(false), 1500)))}
      >
        {copied ? "Copied" : "Copy"}
      </Button>
    </div>
  );
}

function ChannelCard({ channel, canManage, onEdit, onRemove, onChanged }: { channel: Channel; canManage: boolean; onEdit: () => void; onRemove: () => void; onChanged: () => void }) {
  const trpc = useTRPC();
  const test = useMutation(trpc.channels.testToken.mutationOptions({ onSuccess: onChanged }));
  const [showWebhooks, setShowWebhooks] = useState(false);
  const [bindingFlows, setBindingFlows] = useState(false);
  const [showTemplates, setShowTemplates] = useState(false);
  const [showRules, setShowRules] = useState(false);
  return (
    <li className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="channel" data-channel={channel.name}>
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1 space-y-1">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="font-medium text-slate-900">{channel.name}</h3>
            <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-600">{channel.providerTitle}</span>
            {channel.displayPhoneNumber ? <span className="text-sm text-slate-600">{channel.displayPhoneNumber}</span> : null}
            {channel.simulator ? <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-600">simulator</span> : null}
            {channel.fromEnvironment ? <span className="text-xs text-slate-500">from WHATSAPP_* variables: they overwrite its tokens at each start</span> : null}
          </div>
          <p className="text-xs text-slate-600">
            {channel.provider === "twilio" ? "Sender" : "Phone number ID"} <span className="font-mono">{channel.phoneNumberId}</span>
            {channel.accountId ? (
              <>
                {" "}
                · Account <span className="font-mono">{channel.accountId}</span>
              </>
            ) : null}
            {channel.wabaId ? (
              <>
                {" "}
                · WABA <span className="font-mono">{channel.wabaId}</span>
              </>
            ) : null}{" "}
            · {channel.messagesPerSecond} messages/s · last webhook {channel.lastWebhookAt ? formatRelative(channel.lastWebhookAt) : "never"}
            {channel.graphBaseUrl && !channel.simulator ? (
              <>
                {" "}
                · API <span className="font-mono">{channel.graphBaseUrl}</span>
              </>
            ) : null}
          </p>
          {channel.simulator ? null : (
            <div className="max-w-md">
              <p className="text-xs font-medium text-slate-700">Callback URL</p>
              <CopyField value={channel.callbackUrl} label={`callback URL of ${channel.name}`} />
            </div>
          )}
          {canManage && !channel.simulator && channel.provider === "whatsapp_cloud" ? (
            channel.verifyToken ? (
              <div className="max-w-md">
                <p className="text-xs font-medium text-slate-700">Verify token</p>
                <CopyField value={channel.verifyToken} label={`verify token of ${channel.name}`} />
              </div>
            ) : (
              <p className="text-xs text-slate-500">
                Verify token: {channel.verifyTokenSet ? "set (only its hash is stored: the WHATSAPP_VERIFY_TOKEN value, or set a new one with Edit)" : "none: set one with Edit"}
              </p>
            )
          ) : null}
          <p className="text-xs text-slate-600" data-testid="channel-flows">
            Flows on this number:{" "}
            {channel.flows.length === 0
              ? "none, so nothing answers here"
              : channel.flows.map((flow, index) => (
                  <span key={flow.id}>
                    {index > 0 ? ", " : ""}
                    <a className="text-brand-700 hover:underline" href={`/flows/${flow.id}`}>
                      {flow.name}
                    </a>
                    {flow.published ? "" : " (not published)"}
                  </span>
                ))}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-1">
          {canManage && !channel.simulator ? (
            <Button onClick={() => test.mutate({ id: channel.id })} disabled={test.isPending}>
              {test.isPending ? "Testing…" : "Test token"}
            </Button>
          ) : null}
          <Button variant="ghost" aria-expanded={showWebhooks} onClick={() => setShowWebhooks(!showWebhooks)}>
            Last webhooks
          </Button>
          {channel.templatesReady ? (
            <Button variant="ghost" aria-expanded={showTemplates} onClick={() => setShowTemplates(!showTemplates)}>
              Templates
            </Button>
          ) : null}
          {canManage ? (
            <Button variant="ghost" aria-expanded={bindingFlows} onClick={() => setBindingFlows(!bindingFlows)}>
              Flows
            </Button>
          ) : null}
          <Button variant="ghost" aria-expanded={showRules} onClick={() => setShowRules(!showRules)}>
            Contacts
          </Button>
          {canManage && !channel.simulator ? (
            <>
              <Button variant="ghost" onClick={onEdit}>
                Edit
              </Button>
              <Button variant="ghost" className="text-red-700 hover:bg-red-50" onClick={onRemove}>
                Delete
              </Button>
            </>
          ) : null}
        </div>
      </div>
      {test.data ? (
        <p role="status" data-testid="token-test" className={`mt-2 text-sm ${test.data.ok ? "text-emerald-700" : "text-red-700"}`}>
          {test.data.ok
            ? `The token works: ${[test.data.verifiedName, test.data.displayPhoneNumber].filter(Boolean).join(", ") || "the number answered"}${test.data.qualityRating ? ` (quality ${test.data.qualityRating})` : ""}.`
            : `Failed: ${test.data.error}`}
        </p>
      ) : null}
      {test.isError ? <ErrorNote className="mt-2">{errorMessage(test.error)}</ErrorNote> : null}
      {bindingFlows ? <FlowBinding channel={channel} onDone={() => (setBindingFlows(false), onChanged())} /> : null}
      {showWebhooks ? <WebhookLog channelId={channel.id} /> : null}
      {showTemplates ? <TemplateList channelId={channel.id} canRefresh={canManage} /> : null}
      {showRules ? <ContactRules channelId={channel.id} canManage={canManage} /> : null}
    </li>
  );
}

/** The flows listening on the number, as checkboxes. */
function FlowBinding({ channel, onDone }: { channel: Channel; onDone: () => void }) {
  const trpc = useTRPC();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const [chosen, setChosen] = useState(() => new Set(channel.flows.map((flow) => flow.id)));
  const save = useMutation(trpc.channels.setFlows.mutationOptions({ onSuccess: onDone }));
  if (flows.isPending) return <TableSkeleton rows={2} label="Loading the flows" />;
  if (flows.isError) return <ErrorNote className="mt-2">Could not load the flows: {errorMessage(flows.error)}</ErrorNote>;
  return (
    <fieldset className="mt-3 space-y-2 rounded-md border border-slate-200 p-3">
      <legend className="px-1 text-xs font-medium text-slate-700">Flows listening on {channel.name}</legend>
      {flows.data.length === 0 ? <p className="text-sm text-slate-500">No flows yet.</p> : null}
      {flows.data.map((flow) => (
        <label key={flow.id} className="flex items-center gap-2 text-sm text-slate-700">
          <input
            type="checkbox"
            className="size-4 accent-brand-600"
            checked={chosen.has(flow.id)}
            onChange={(event) => {
              const next = new Set(chosen);
              if (event.target.checked) next.add(flow.id);
              else next.delete(flow.id);
              setChosen(next);
            }}
          />
          {flow.name}
          {flow.publishedVersion === null ? <span className="text-xs text-slate-500">(not published)</span> : null}
        </label>
      ))}
      {save.isError ? <ErrorNote>{errorMessage(save.error)}</ErrorNote> : null}
      <div className="flex gap-2">
        <Button variant="primary" disabled={save.isPending} onClick={() => save.mutate({ id: channel.id, flowIds: [...chosen] })}>
          {save.isPending ? "Saving…" : "Save flows"}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </fieldset>
  );
}

/** The last webhooks Meta delivered for the number: "why doesn't my bot answer?" */
function WebhookLog({ channelId }: { channelId: string }) {
  const trpc = useTRPC();
  const log = useQuery({ ...trpc.channels.webhooks.queryOptions({ id: channelId }), refetchInterval: 5_000 });
  if (log.isPending) return <TableSkeleton rows={3} label="Loading the webhooks" />;
  if (log.isError) return <ErrorNote className="mt-2">Could not load the webhooks: {errorMessage(log.error)}</ErrorNote>;
  if (log.data.length === 0) {
    return (
      <p className="mt-3 text-sm text-slate-600" data-testid="webhook-log">
        No webhook has arrived for this number. Check the callback URL and the <code>messages</code> subscription in Meta, and that the app is subscribed to the WhatsApp
        Business Account.
      </p>
    );
  }
  return (
    <div className="mt-3 overflow-x-auto rounded-md border border-slate-200">
      <table className="w-full text-left text-xs" data-testid="webhook-log">
        <thead className="bg-slate-50 uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-1.5 font-medium">Received</th>
            <th scope="col" className="px-3 py-1.5 font-medium">Signature</th>
            <th scope="col" className="px-3 py-1.5 font-medium">Answer</th>
            <th scope="col" className="px-3 py-1.5 font-medium">Messages</th>
            <th scope="col" className="px-3 py-1.5 font-medium">Statuses</th>
            <th scope="col" className="px-3 py-1.5 font-medium">Problem</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {log.data.map((delivery) => (
            <tr key={delivery.id}>
              <td className="whitespace-nowrap px-3 py-1.5">{formatDateTime(delivery.receivedAt)}</td>
              <td className={`px-3 py-1.5 ${delivery.signatureOk ? "text-emerald-700" : "text-red-700"}`}>{delivery.signatureOk ? "ok" : "failed"}</td>
              <td className={`px-3 py-1.5 ${delivery.httpStatus < 300 ? "" : "text-red-700"}`}>{delivery.httpStatus}</td>
              <td className="px-3 py-1.5">{delivery.messages}</td>
              <td className="px-3 py-1.5">{delivery.statuses}</td>
              <td className="px-3 py-1.5 text-slate-600">{delivery.problem ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The number's message templates as last read from its provider (read again after an hour, or now with Refresh). */
function TemplateList({ channelId, canRefresh }: { channelId: string; canRefresh: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const templates = useQuery(trpc.channels.templates.queryOptions({ channelId }));
  const refresh = useMutation(
    trpc.channels.refreshTemplates.mutationOptions({ onSuccess: (fresh) => queryClient.setQueryData(trpc.channels.templates.queryKey({ channelId }), fresh) }),
  );
  if (templates.isPending) return <TableSkeleton rows={3} label="Loading the templates" />;
  if (templates.isError) return <ErrorNote className="mt-2">Could not load the templates: {errorMessage(templates.error)}</ErrorNote>;
  return (
    <div className="mt-3 space-y-2" data-testid="templates">
      {templates.data.problems.map((problem) => (
        <ErrorNote key={problem.channelId}>{problem.error}</ErrorNote>
      ))}
      {templates.data.templates.length === 0 ? <p className="text-sm text-slate-600">No templates: create them in WhatsApp Manager (on Twilio, in the Content Template Builder, submitted to WhatsApp).</p> : null}
      <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 text-xs">
        {templates.data.templates.map((template) => (
          <li key={`${template.name}:${template.language}`} className="px-3 py-1.5">
            <span className="font-mono text-slate-900">{template.name}</span> <span className="text-slate-500">({template.language})</span>{" "}
            <span className={template.status === "APPROVED" ? "text-emerald-700" : "text-amber-700"}>{template.status.toLowerCase()}</span>
            {template.bodyParameters > 0 ? <span className="text-slate-500"> · {template.bodyParameters} parameters</span> : null}
            {template.bodyText ? <p className="text-slate-600">{template.bodyText}</p> : null}
          </li>
        ))}
      </ul>
      {canRefresh ? (
        <Button variant="ghost" disabled={refresh.isPending} onClick={() => refresh.mutate({ channelId })}>
          {refresh.isPending ? "Reading from Meta…" : "Refresh"}
        </Button>
      ) : null}
      {refresh.isError ? <ErrorNote>{errorMessage(refresh.error)}</ErrorNote> : null}
    </div>
  );
}

/** Adds a number or edits one. Token and secret fields are write-only: empty keeps what is stored. */
function ChannelForm({ channel, onDone }: { channel?: Channel; onDone: (created?: { name: string; verifyToken: string }) => void }) {
  const trpc = useTRPC();
  const [provider, setProvider] = useState<Channel["provider"]>(channel?.provider ?? "whatsapp_cloud");
  const twilio = provider === "twilio";
  const [fields, setFields] = useState({
    name: channel?.name ?? "",
    phoneNumberId: channel?.phoneNumberId ?? "",
    accountId: channel?.accountId ?? "",
    displayPhoneNumber: channel?.displayPhoneNumber ?? "",
    wabaId: channel?.wabaId ?? "",
    graphBaseUrl: channel?.graphBaseUrl ?? "",
    messagesPerSecond: String(channel?.messagesPerSecond ?? 80),
    accessToken: "",
    appSecret: "",
    verifyToken: "",
  });
  const save = useMutation(
    trpc.channels.save.mutationOptions({
      onSuccess: (result) => onDone(!channel && result.verifyToken ? { name: fields.name, verifyToken: result.verifyToken } : undefined),
    }),
  );
  const set = (name: keyof typeof fields) => (event: { target: { value: string } }) => setFields({ ...fields, [name]: event.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ id: channel?.id, provider, ...fields, messagesPerSecond: Number(fields.messagesPerSecond) });
  }

  const input = (name: keyof typeof fields, label: string, help: string, options: { type?: string; required?: boolean; mono?: boolean; placeholder?: string } = {}) => (
    <label className="block space-y-1 text-sm">
      <span className="block text-xs font-medium text-slate-700">{label}</span>
      <input
        className={`field ${options.mono ? "font-mono" : ""}`}
        type={options.type ?? "text"}
        autoComplete="off"
        value={fields[name]}
        onChange={set(name)}
        required={options.required}
        placeholder={options.placeholder}
      />
      <span className="block text-xs text-slate-500">{help}</span>
    </label>
  );

  return (
    <form onSubmit={submit} className="space-y-3 rounded-xl border border-brand-100 bg-white p-4 shadow-sm" aria-label={channel ? `Edit ${channel.name}` : "Add a number"}>
      {channel ? null : (
        <fieldset className="flex flex-wrap gap-4 text-sm text-slate-700">
          <legend className="sr-only">Provider</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="provider" className="accent-brand-600" checked={!twilio} onChange={() => setProvider("whatsapp_cloud")} /> Meta&apos;s WhatsApp Cloud API
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="provider" className="accent-brand-600" checked={twilio} onChange={() => setProvider("twilio")} /> Twilio
          </label>
        </fieldset>
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        {input("name", "Name", "What the studio calls this number, e.g. “Shop Bilbao”.", { required: true })}
        {twilio ? (
          <>
            {input("phoneNumberId", "WhatsApp sender", "The Twilio WhatsApp sender's number, e.g. +1 415 523 8886.", { required: true, mono: true })}
            {input("accountId", "Account SID", "From the Twilio console: AC followed by 32 characters.", { required: true, mono: true })}
            {input("accessToken", "Auth token", channel ? "•••• set: leave empty to keep it, or paste a new one." : "The account's auth token: it sends and signs the webhooks. Stored encrypted.", {
              type: "password",
              required: !channel,
              mono: true,
            })}
          </>
        ) : (
          <>
            {input("phoneNumberId", "Phone number ID", "From Meta's WhatsApp → API Setup page (not the phone number itself).", { required: true, mono: true })}
            {input("displayPhoneNumber", "Phone number", "As people see it; the token test fills it in.", { placeholder: "+34 944 00 00 00" })}
            {input("wabaId", "WhatsApp Business Account ID", "Needed to list the number's message templates.", { mono: true })}
            {input("accessToken", "Access token", channel ? "•••• set: leave empty to keep it, or paste a new one." : "A system user's permanent token with whatsapp_business_messaging. Stored encrypted.", {
              type: "password",
              required: !channel,
              mono: true,
            })}
            {input("appSecret", "App secret", channel ? "•••• set: leave empty to keep it." : "Meta's App settings → Basic: webhooks are checked against it. Stored encrypted.", {
              type: "password",
              required: !channel,
              mono: true,
            })}
            {input("verifyToken", "Verify token", channel ? "Leave empty to keep it, or set a new one (8+ characters) and update it in Meta." : "Leave empty to have one made for you.", { mono: true })}
          </>
        )}
        {input("messagesPerSecond", "Messages per second", "WhatsApp's throughput for the number: 80 by default, up to 1,000 after an upgrade.", { type: "number" })}
        {input("graphBaseUrl", twilio ? "Twilio API URL" : "Graph API URL", "Leave empty for the provider's own API; a test server's address otherwise.", {
          mono: true,
          placeholder: twilio ? "https://api.twilio.com" : "https://graph.facebook.com",
        })}
      </div>
      {save.isError ? <ErrorNote>{errorMessage(save.error)}</ErrorNote> : null}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : channel ? "Save" : "Add number"}
        </Button>
        <Button variant="ghost" onClick={() => onDone()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
