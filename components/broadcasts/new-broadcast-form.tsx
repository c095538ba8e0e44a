"use client";
// Writing a broadcast: a number, one of its approved templates with its parameters, and an
// audience by tag or by numbers. The preview says how many contacts will receive it and
// who is skipped and why before anything is sent; sending asks for confirmation.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useDeferredValue, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorNote } from "@/components/ui/notice";
import { formatDateTime } from "@/components/ui/format";
import { Spinner } from "@/components/ui/spinner";

type AudienceKind = "tags" | "numbers";

/** Numbers typed one per line or separated by commas or semicolons. */
function splitNumbers(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((number) => number.trim())
    .filter(Boolean);
}

const contacts = (count: number) => `${count.toLocaleString()} contact${count === 1 ? "" : "s"}`;

/** The template's body with its parameters as a sample contact named Ana would read them. */
function sampleText(body: string, parameters: string[]): string {
  const filled = parameters.map((parameter) =>
    parameter.replace(/\{\{\s*contact\.(name|phone)\s*(?:\|([^}]*))?\}\}/g, (_, field: string) => (field === "name" ? "Ana" : "+34 600 000 001")),
  );
  return body.replace(/\{\{\s*(\d+)\s*\}\}/g, (placeholder, index: string) => filled[Number(index) - 1] || placeholder);
}

export function NewBroadcastForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [channelId, setChannelId] = useState("");
  const [templateKey, setTemplateKey] = useState("");
  const [parameters, setParameters] = useState<string[]>([]);
  const [headerParameter, setHeaderParameter] = useState("");
  /** Button parameters by the button's position. */
  const [buttonValues, setButtonValues] = useState<Record<number, string>>({});
  const [kind, setKind] = useState<AudienceKind>("tags");
  const [tags, setTags] = useState<string[]>([]);
  const [numbersText, setNumbersText] = useState("");
  const [optedInOnly, setOptedInOnly] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [when, setWhen] = useState<"now" | "later">("now");
  /** A local date and time, as the datetime-local field holds it. */
  const [laterAt, setLaterAt] = useState("");

  const channels = useQuery(trpc.channels.list.queryOptions());
  const senders = channels.data ?? [];
  const chosenChannel = channelId || senders[0]?.id || "";
  const templates = useQuery({ ...trpc.channels.templates.queryOptions({ channelId: chosenChannel }), enabled: Boolean(chosenChannel) });
  const workspaceTags = useQuery(trpc.broadcasts.tags.queryOptions());
  const approved = (templates.data?.templates ?? []).filter((template) => template.channelId === chosenChannel);
  const template = approved.find((candidate) => `${candidate.name}/${candidate.language}` === templateKey);

  const numbers = useDeferredValue(splitNumbers(numbersText));
  const audience = kind === "tags" ? { kind, tags, optedInOnly } : { kind, numbers, optedInOnly };
  const audienceChosen = kind === "tags" ? tags.length > 0 : numbers.length > 0;
  const preview = useQuery({
    ...trpc.broadcasts.preview.queryOptions({ channelId: chosenChannel, audience }),
    enabled: Boolean(chosenChannel) && audienceChosen,
    retry: false,
  });

  const create = useMutation(
    trpc.broadcasts.create.mutationOptions({
      onSuccess: async ({ id }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.broadcasts.list.queryKey() });
        router.push(`/broadcasts/${id}`);
      },
      onSettled: () => setConfirming(false),
    }),
  );

  const scheduledFor = when === "later" && laterAt ? new Date(laterAt) : undefined;
  const scheduleValid = when === "now" || (scheduledFor !== undefined && scheduledFor.getTime() > Date.now());
  const templateFilled =
    template !== undefined &&
    parameters.every((parameter) => parameter.trim() !== "") &&
    (!template.header || headerParameter.trim() !== "") &&
    template.buttons.every((button) => !button.required || (buttonValues[button.index] ?? "").trim() !== "");
  const ready = name.trim() !== "" && templateFilled && (preview.data?.reachable ?? 0) > 0 && scheduleValid;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ready) setConfirming(true);
  };

  if (channels.isPending) return <Spinner label="Loading your numbers" />;
  if (channels.isError) return <ErrorNote>Could not load your numbers: {errorMessage(channels.error)}</ErrorNote>;
  if (senders.length === 0) {
    return <ErrorNote>Broadcasts go through a WhatsApp number: add one in Settings → WhatsApp numbers.</ErrorNote>;
  }

  return (
    <>
      <form onSubmit={submit} className="grid gap-6 lg:grid-cols-[1fr_20rem]" aria-label="New broadcast">
        <div className="space-y-5 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <label className="flex flex-col gap-1 text-sm">
            <span className="font-medium text-slate-700">Name</span>
            <input className="field" value={name} onChange={(event) => setName(event.target.value)} placeholder="Spring offer to VIPs" maxLength={120} required autoFocus />
            <span className="text-xs text-slate-500">Only your team sees it.</span>
          </label>

          <label className="flex flex-col gap-1 text-sm">
            <span className="font-medium text-slate-700">From number</span>
            <select
              className="field"
              value={chosenChannel}
              onChange={(event) => {
                setChannelId(event.target.value);
                setTemplateKey("");
                setParameters([]);
              }}
            >
              {senders.map((channel) => (
                <option key={channel.id} value={channel.id}>
                  {channel.name} {channel.displayPhoneNumber ? `(${channel.displayPhoneNumber})` : ""}
                </option>
              ))}
            </select>
          </label>

          <fieldset className="space-y-2 text-sm">
            <legend className="font-medium text-slate-700">Template</legend>
            <select
              className="field w-full"
              aria-label="Template"
              value={templateKey}
              onChange={(event) => {
                const next = approved.find((candidate) => `${candidate.name}/${candidate.language}` === event.target.value);
                setTemplateKey(event.target.value);
                setParameters(Array.from({ length: next?.bodyParameters ?? 0 }, (_, i) => parameters[i] ?? ""));
                setHeaderParameter("");
                setButtonValues({});
              }}
            >
              <option value="">{templates.isPending ? "Loading templates…" : approved.length === 0 ? "This number has no templates" : "Choose a template…"}</option>
              {approved.map((candidate) => (
                <option key={`${candidate.name}/${candidate.language}`} value={`${candidate.name}/${candidate.language}`} disabled={candidate.status !== "APPROVED"}>
                  {candidate.name} ({candidate.language}){candidate.status !== "APPROVED" ? ` — ${candidate.status.toLowerCase()}` : ""}
                </option>
              ))}
            </select>
            {templates.data?.problems[0] ? <p className="text-xs text-amber-800">{templates.data.problems[0].error}</p> : null}
            {template ? (
              <div className="space-y-2">
                {parameters.map((parameter, index) => (
                  <label key={index} className="flex items-center gap-2">
                    <span className="w-12 shrink-0 font-mono text-xs text-slate-500">{`{{${index + 1}}}`}</span>
                    <input
                      className="field flex-1"
                      aria-label={`Parameter ${index + 1}`}
                      value={parameter}
                      onChange={(event) => setParameters(parameters.map((old, i) => (i === index ? event.target.value : old)))}
                      placeholder={index === 0 ? "{{contact.name|there}}" : "20%"}
                      required
                    />
                  </label>
                ))}
                {template.header ? (
                  <label className="flex items-center gap-2">
                    <span className="w-12 shrink-0 text-xs text-slate-500">Header</span>
                    <input
                      className="field flex-1"
                      aria-label="Header parameter"
                      value={headerParameter}
                      onChange={(event) => setHeaderParameter(event.target.value)}
                      placeholder={template.header.format === "text" ? "the header's {{1}}" : `https://… link to the ${template.header.format}`}
                      required
                    />
                  </label>
                ) : null}
                {template.buttons.map((button) => (
                  <label key={button.index} className="flex items-center gap-2">
                    <span className="w-12 shrink-0 truncate text-xs text-slate-500" title={button.text}>
                      {button.text}
                    </span>
                    <input
                      className="field flex-1"
                      aria-label={button.subType === "url" ? `End of the “${button.text}” link` : `Payload of “${button.text}”`}
                      value={buttonValues[button.index] ?? ""}
                      onChange={(event) => setButtonValues({ ...buttonValues, [button.index]: event.target.value })}
                      placeholder={button.subType === "url" ? "the link's ending, e.g. {{contact.phone}}" : "payload sent back when tapped (optional)"}
                      required={button.required}
                    />
                  </label>
                ))}
                {parameters.length > 0 || template.header || template.buttons.length > 0 ? (
                  <p className="text-xs text-slate-500">
                    <code>{"{{contact.name}}"}</code> and <code>{"{{contact.phone}}"}</code> are filled per contact; after <code>|</code> comes the fallback for contacts whose name is unknown.
                  </p>
                ) : null}
              </div>
            ) : null}
          </fieldset>

          <fieldset className="space-y-2 text-sm">
            <legend className="font-medium text-slate-700">Audience</legend>
            <div className="flex gap-4" role="radiogroup">
              {(["tags", "numbers"] as const).map((option) => (
                <label key={option} className="flex items-center gap-1.5">
                  <input type="radio" name="audience" value={option} checked={kind === option} onChange={() => setKind(option)} />
                  {option === "tags" ? "Contacts with a tag" : "A list of numbers"}
                </label>
              ))}
            </div>
            {kind === "tags" ? (
              workspaceTags.data?.length ? (
                <div className="flex flex-wrap gap-2" aria-label="Tags">
                  {workspaceTags.data.map(({ tag, contacts }) => {
                    const on = tags.includes(tag);
                    return (
                      <button
                        key={tag}
                        type="button"
                        aria-pressed={on}
                        onClick={() => setTags(on ? tags.filter((other) => other !== tag) : [...tags, tag])}
                        className={`rounded-full px-3 py-1 text-sm ring-1 focus-visible:outline-2 focus-visible:outline-brand-600 ${on ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"}`}
                      >
                        {tag} <span className={on ? "text-brand-100" : "text-slate-400"}>{contacts}</span>
                      </button>
                    );
                  })}
                </div>
              ) : (
                <p className="text-xs text-slate-500">{workspaceTags.isPending ? "Loading tags…" : "No contact has a tag yet: tag contacts in the inbox, or send to a list of numbers."}</p>
              )
            ) : (
              <textarea
                className="field h-28 w-full font-mono"
                aria-label="Numbers"
                value={numbersText}
                onChange={(event) => setNumbersText(event.target.value)}
                placeholder={"+34 600 000 001\n+34 600 000 002"}
              />
            )}
            <label className="flex items-center gap-1.5">
              <input type="checkbox" checked={optedInOnly} onChange={(event) => setOptedInOnly(event.target.checked)} />
              Only contacts who opted in (wrote START)
            </label>
          </fieldset>
          <fieldset className="space-y-2 text-sm">
            <legend className="font-medium text-slate-700">When</legend>
            <div className="flex flex-wrap items-center gap-4" role="radiogroup">
              <label className="flex items-center gap-1.5">
                <input type="radio" name="when" checked={when === "now"} onChange={() => setWhen("now")} />
                Now
              </label>
              <label className="flex items-center gap-1.5">
                <input type="radio" name="when" checked={when === "later"} onChange={() => setWhen("later")} />
                Later, at
              </label>
              <input
                type="datetime-local"
                className="field py-1"
                aria-label="Send at"
                value={laterAt}
                disabled={when !== "later"}
                onChange={(event) => setLaterAt(event.target.value)}
              />
            </div>
            {when === "later" && !scheduleValid ? <p className="text-xs text-amber-800">Choose a time in the future (within 30 days).</p> : null}
            {when === "later" ? <p className="text-xs text-slate-500">Who is skipped is decided again when it sends: a contact who says STOP before then gets nothing.</p> : null}
          </fieldset>
        </div>

        <aside className="space-y-4">
          <section className="rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm" aria-label="Who receives it" data-testid="broadcast-preview">
            <h2 className="mb-2 font-medium text-slate-800">Who receives it</h2>
            {!audienceChosen ? (
              <p className="text-slate-500">Choose an audience.</p>
            ) : preview.isPending ? (
              <Spinner label="Counting" />
            ) : preview.isError ? (
              <ErrorNote>{errorMessage(preview.error)}</ErrorNote>
            ) : (
              <div className="space-y-1">
                <p>
                  <span className="text-2xl font-semibold tabular-nums text-slate-900" data-testid="broadcast-reachable">
                    {preview.data.reachable.toLocaleString()}
                  </span>{" "}
                  of {preview.data.total.toLocaleString()} contacts
                </p>
                {preview.data.skipped.map((entry) => (
                  <p key={entry.reason} className="text-xs text-amber-800">
                    {entry.count.toLocaleString()} skipped: {entry.reason}
                  </p>
                ))}
                {preview.data.tooMany ? <p className="text-xs text-red-700">Too many contacts for one broadcast: narrow the audience.</p> : null}
              </div>
            )}
          </section>
          {template?.bodyText ? (
            <section className="rounded-xl bg-[#e5ddd5] p-3 text-sm" aria-label="Message preview">
              <div className="max-w-[90%] whitespace-pre-wrap rounded-lg rounded-tl-none bg-white px-2.5 py-1.5 shadow-sm" data-testid="broadcast-sample">
                {sampleText(template.bodyText, parameters)}
              </div>
            </section>
          ) : null}
          {create.isError ? <ErrorNote>{errorMessage(create.error)}</ErrorNote> : null}
          <Button type="submit" variant="primary" className="w-full" disabled={!ready || create.isPending}>
            {create.isPending ? "Starting…" : `${when === "later" ? "Schedule for" : "Send to"} ${contacts(preview.data?.reachable ?? 0)}…`}
          </Button>
        </aside>
      </form>
      <ConfirmDialog
        open={confirming}
        title={`${scheduledFor ? "Schedule" : "Send"} “${template?.name ?? ""}” to ${contacts(preview.data?.reachable ?? 0)}?`}
        confirmLabel={scheduledFor ? `Schedule for ${formatDateTime(scheduledFor)}` : "Send now"}
        onCancel={() => setConfirming(false)}
        onConfirm={() =>
          create.mutate({
            name,
            channelId: chosenChannel,
            template: { name: template!.name, language: template!.language },
            bodyParameters: parameters,
            headerParameter: template!.header ? headerParameter : undefined,
            buttonParameters: Object.entries(buttonValues)
              .filter(([, value]) => value.trim() !== "")
              .map(([index, value]) => ({ index: Number(index), value })),
            audience,
            scheduledFor,
          })
        }
      >
        WhatsApp bills each template message, and a sent message cannot be taken back. Sending {scheduledFor ? `starts at ${formatDateTime(scheduledFor)}` : "starts at once"},
        paced under the number&apos;s limits; you can cancel the rest until it is done.
      </ConfirmDialog>
    </>
  );
}
