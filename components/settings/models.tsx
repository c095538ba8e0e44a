"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatTime } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";

type Settings = inferRouterOutputs<AppRouter>["models"]["settings"];
type Provider = Settings["providers"][number];
type Price = Settings["prices"][number];

/** Base URLs of common OpenAI-compatible servers, offered when adding a provider. */
const PRESETS = [
  { label: "OpenAI", baseUrl: "", models: "gpt-4o-mini, gpt-4o" },
  { label: "Ollama", baseUrl: "http://localhost:11434/v1", models: "llama3.1" },
  { label: "LM Studio", baseUrl: "http://localhost:1234/v1", models: "" },
  { label: "vLLM", baseUrl: "http://localhost:8000/v1", models: "" },
  { label: "OpenRouter", baseUrl: "https://openrouter.ai/api/v1", models: "openai/gpt-4o-mini" },
];

/** Settings → Models: providers in fallback order with their circuit breakers, and the price table. */
export function Models({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Breakers change while the page is open: look again every few seconds.
  const settings = useQuery({ ...trpc.models.settings.queryOptions(), refetchInterval: 10_000 });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.models.settings.queryKey() });
  const [editing, setEditing] = useState<Provider | "new" | null>(null);
  const [removing, setRemoving] = useState<Provider | null>(null);
  const remove = useMutation(trpc.models.removeProvider.mutationOptions({ onSuccess: () => void refresh() }));
  const reorder = useMutation(trpc.models.reorderProviders.mutationOptions({ onSettled: () => void refresh() }));

  const stored = settings.data?.providers.filter((provider) => provider.editable) ?? [];
  const move = (index: number, by: -1 | 1) => {
    const ids = stored.map((provider) => provider.id);
    [ids[index], ids[index + by]] = [ids[index + by]!, ids[index]!];
    reorder.mutate({ ids });
  };

  return (
    <section className="space-y-8">
      <p className="max-w-2xl text-sm text-slate-600">
        <strong>Ask AI</strong> and <strong>Classify</strong> nodes reach language models through these providers: OpenAI, or any server speaking its API (Ollama, LM
        Studio, vLLM, OpenRouter…). A call goes to the first provider that can answer; one that keeps failing is skipped for 30 seconds (its circuit breaker opens), then tried
        again.
      </p>

      <div className="space-y-3">
        <div className="flex items-center justify-between">
          <h2 className="text-base font-semibold text-slate-900">Providers, in fallback order</h2>
          {canManage && editing === null ? (
            <Button variant="primary" onClick={() => setEditing("new")}>
              Add provider
            </Button>
          ) : null}
        </div>
        {editing === "new" ? <ProviderForm onDone={() => (setEditing(null), void refresh())} /> : null}
        {settings.isPending ? (
          <TableSkeleton label="Loading the providers" />
        ) : settings.isError ? (
          <ErrorNote>Could not load the model settings: {errorMessage(settings.error)}</ErrorNote>
        ) : settings.data.providers.length === 0 ? (
          <div className="rounded-xl border border-slate-200 bg-white">
            <EmptyState title="No language model yet" icon="🤖">
              Add a provider, or set <code>OPENAI_API_KEY</code> on the server. Until then AI nodes take their “error” output.
            </EmptyState>
          </div>
        ) : (
          <ol className="space-y-2" data-testid="model-providers">
            {settings.data.providers.map((provider) =>
              editing !== "new" && editing?.id === provider.id ? (
                <li key={provider.id}>
                  <ProviderForm provider={provider} onDone={() => (setEditing(null), void refresh())} />
                </li>
              ) : (
                <ProviderRow
                  key={provider.id}
                  provider={provider}
                  canManage={canManage}
                  onUp={provider.editable && stored.indexOf(provider) > 0 ? () => move(stored.indexOf(provider), -1) : undefined}
                  onDown={provider.editable && stored.indexOf(provider) < stored.length - 1 ? () => move(stored.indexOf(provider), 1) : undefined}
                  onEdit={() => setEditing(provider)}
                  onRemove={() => setRemoving(provider)}
                />
              ),
            )}
          </ol>
        )}
        {reorder.isError ? <ErrorNote>{errorMessage(reorder.error)}</ErrorNote> : null}
        {remove.isError ? <ErrorNote>{errorMessage(remove.error)}</ErrorNote> : null}
      </div>

      {settings.data ? <PriceTable prices={settings.data.prices} canManage={canManage} onChanged={() => void refresh()} /> : null}

      <ConfirmDialog
        open={removing !== null}
        title={`Delete “${removing?.name}”?`}
        confirmLabel="Delete provider"
        danger
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (removing) remove.mutate({ id: removing.id });
          setRemoving(null);
        }}
      >
        Its key is deleted with it. Calls go to the next provider in the order from now on.
      </ConfirmDialog>
    </section>
  );
}

function ProviderRow({
  provider,
  canManage,
  onUp,
  onDown,
  onEdit,
  onRemove,
}: {
  provider: Provider;
  canManage: boolean;
  onUp?: () => void;
  onDown?: () => void;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const trpc = useTRPC();
  const test = useMutation(trpc.models.testProvider.mutationOptions());
  return (
    <li className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="model-provider" data-provider={provider.name}>
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1 space-y-1">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="font-medium text-slate-900">{provider.name}</h3>
            <BreakerBadge breaker={provider.breaker} />
            {provider.enabled ? null : <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-600">disabled</span>}
            {provider.editable ? null : <span className="text-xs text-slate-500">from the server&apos;s environment (OPENAI_API_KEY), always tried last</span>}
          </div>
          <p className="font-mono text-xs text-slate-600">{provider.baseUrl ?? "OpenAI (api.openai.com)"}</p>
          <p className="text-xs text-slate-600">
            Models: <strong>{provider.models[0]}</strong>
            {provider.models.length > 1 ? `, ${provider.models.slice(1).join(", ")}` : ""} · key: {provider.key.set ? `•••• set${provider.key.last4 ? ` (…${provider.key.last4})` : ""}` : "none"} ·
            timeout {provider.timeoutMs / 1000} s · {provider.maxRetries} {provider.maxRetries === 1 ? "retry" : "retries"}
            {provider.embeddingModel ? ` · embeddings: ${provider.embeddingModel}` : ""}
          </p>
          {provider.breaker.lastError ? <p className="text-xs text-red-700">Last failure: {provider.breaker.lastError}</p> : null}
        </div>
        {canManage ? (
          <div className="flex flex-wrap items-center gap-1">
            {provider.editable ? (
              <>
                <Button variant="ghost" aria-label={`Move ${provider.name} up`} disabled={!onUp} onClick={onUp}>
                  ↑
                </Button>
                <Button variant="ghost" aria-label={`Move ${provider.name} down`} disabled={!onDown} onClick={onDown}>
                  ↓
                </Button>
              </>
            ) : null}
            <Button onClick={() => test.mutate({ id: provider.id })} disabled={test.isPending}>
              {test.isPending ? "Testing…" : "Test connection"}
            </Button>
            {provider.editable ? (
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
        ) : null}
      </div>
      {test.data ? (
        <p role="status" data-testid="connection-test" className={`mt-2 text-sm ${test.data.ok ? "text-emerald-700" : "text-red-700"}`}>
          {test.data.ok ? `Connected: ${test.data.model} answered in ${test.data.latencyMs} ms.` : `Failed: ${test.data.error}`}
        </p>
      ) : null}
      {test.isError ? <ErrorNote className="mt-2">{errorMessage(test.error)}</ErrorNote> : null}
    </li>
  );
}

function BreakerBadge({ breaker }: { breaker: Provider["breaker"] }) {
  const [style, text] =
    breaker.state === "open"
      ? ["bg-red-100 text-red-800 ring-red-200", `circuit open: skipped until ${breaker.retryAt ? formatTime(breaker.retryAt) : "the cool-down ends"}`]
      : breaker.state === "half-open"
        ? ["bg-amber-100 text-amber-800 ring-amber-200", "circuit half-open: the next call tests it"]
        : breaker.consecutiveFailures > 0
          ? ["bg-amber-100 text-amber-800 ring-amber-200", `${breaker.consecutiveFailures} recent ${breaker.consecutiveFailures === 1 ? "failure" : "failures"}`]
          : ["bg-emerald-100 text-emerald-800 ring-emerald-200", "healthy"];
  return (
    <span data-testid="breaker-state" data-state={breaker.state} className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${style}`}>
      {text}
    </span>
  );
}

/** Adds a provider, or edits one. The key field is write-only: empty keeps the stored key. */
function ProviderForm({ provider, onDone }: { provider?: Provider; onDone: () => void }) {
  const trpc = useTRPC();
  const [name, setName] = useState(provider?.name ?? "");
  const [baseUrl, setBaseUrl] = useState(provider?.baseUrl ?? "");
  const [models, setModels] = useState(provider?.models.join(", ") ?? "");
  const [apiKey, setApiKey] = useState("");
  const [removeApiKey, setRemoveApiKey] = useState(false);
  const [timeoutSeconds, setTimeoutSeconds] = useState(String((provider?.timeoutMs ?? 30_000) / 1000));
  const [maxRetries, setMaxRetries] = useState(String(provider?.maxRetries ?? 1));
  const [embeddingModel, setEmbeddingModel] = useState(provider?.embeddingModel ?? "");
  const [enabled, setEnabled] = useState(provider?.enabled ?? true);
  const save = useMutation(trpc.models.saveProvider.mutationOptions({ onSuccess: onDone }));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({
      id: provider?.id,
      name,
      baseUrl,
      models: models.split(/[,\n]/).map((model) => model.trim()).filter(Boolean),
      apiKey: apiKey.trim() || undefined,
      removeApiKey,
      enabled,
      timeoutMs: Math.round(Number(timeoutSeconds) * 1000),
      maxRetries: Number(maxRetries),
      embeddingModel,
    });
  }

  return (
    <form onSubmit={submit} className="space-y-3 rounded-xl border border-brand-100 bg-white p-4 shadow-sm" aria-label={provider ? `Edit ${provider.name}` : "Add a provider"}>
      {provider ? null : (
        <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
          Start from:
          {PRESETS.map((preset) => (
            <Button
              key={preset.label}
              variant="ghost"
              onClick={() => {
                setName((current) => current || preset.label);
                setBaseUrl(preset.baseUrl);
                setModels((current) => current || preset.models);
              }}
            >
              {preset.label}
            </Button>
          ))}
        </div>
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        <Labelled label="Name">
          <input className="field" value={name} maxLength={60} onChange={(event) => setName(event.target.value)} placeholder="e.g. OpenAI" required />
        </Labelled>
        <Labelled label="Base URL" help="Empty for OpenAI; an OpenAI-compatible server's URL ending in /v1 otherwise.">
          <input className="field font-mono" value={baseUrl} onChange={(event) => setBaseUrl(event.target.value)} placeholder="https://api.openai.com/v1" />
        </Labelled>
        <Labelled label="Models" help="Separated by commas; the first is used when a node names none of them.">
          <input className="field font-mono" value={models} onChange={(event) => setModels(event.target.value)} placeholder="gpt-4o-mini, gpt-4o" required />
        </Labelled>
        <Labelled
          label="API key"
          help={provider?.key.set ? `•••• set${provider.key.last4 ? ` (…${provider.key.last4})` : ""}: leave empty to keep it, or type a new one.` : "Stored encrypted; never shown again. Local servers may need none."}
        >
          <input className="field font-mono" type="password" autoComplete="off" value={apiKey} onChange={(event) => setApiKey(event.target.value)} disabled={removeApiKey} />
        </Labelled>
        <Labelled label="Timeout (seconds)" help="One attempt gives up after this long.">
          <input className="field" type="number" min={1} max={300} value={timeoutSeconds} onChange={(event) => setTimeoutSeconds(event.target.value)} />
        </Labelled>
        <Labelled label="Retries" help="After a 429, a 5xx, a timeout or a lost connection.">
          <input className="field" type="number" min={0} max={3} value={maxRetries} onChange={(event) => setMaxRetries(event.target.value)} />
        </Labelled>
        <Labelled label="Embedding model" help="Optional, e.g. text-embedding-3-small or nomic-embed-text: knowledge documents uploaded from then on are also searched by meaning.">
          <input className="field font-mono" value={embeddingModel} maxLength={200} onChange={(event) => setEmbeddingModel(event.target.value)} placeholder="none" />
        </Labelled>
      </div>
      <div className="flex flex-wrap gap-4 text-sm text-slate-700">
        <label className="flex items-center gap-2">
          <input type="checkbox" className="size-4 accent-brand-600" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} /> Enabled
        </label>
        {provider?.key.set ? (
          <label className="flex items-center gap-2">
            <input type="checkbox" className="size-4 accent-brand-600" checked={removeApiKey} onChange={(event) => setRemoveApiKey(event.target.checked)} /> Remove the stored key
          </label>
        ) : null}
      </div>
      {save.isError ? <ErrorNote>{errorMessage(save.error)}</ErrorNote> : null}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : provider ? "Save" : "Add provider"}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function Labelled({ label, help, children }: { label: string; help?: string; children: ReactNode }) {
  return (
    <label className="block space-y-1 text-sm">
      <span className="block text-xs font-medium text-slate-700">{label}</span>
      {children}
      {help ? <span className="block text-xs text-slate-500">{help}</span> : null}
    </label>
  );
}

/** Prices per million tokens: Parley's defaults, and the workspace's own over them. */
function PriceTable({ prices, canManage, onChanged }: { prices: Price[]; canManage: boolean; onChanged: () => void }) {
  const trpc = useTRPC();
  const setPrice = useMutation(trpc.models.setPrice.mutationOptions({ onSuccess: onChanged }));
  const resetPrice = useMutation(trpc.models.resetPrice.mutationOptions({ onSuccess: onChanged }));
  const [adding, setAdding] = useState({ model: "", input: "", output: "" });

  return (
    <div className="space-y-3">
      <h2 className="text-base font-semibold text-slate-900">Prices (USD per million tokens)</h2>
      <p className="max-w-2xl text-sm text-slate-600">
        Each model call in a run&apos;s trace shows its cost from this table. A row also prices dated versions of its model (“gpt-4o” prices “gpt-4o-2024-08-06”). A model
        with no row has no cost shown: add local models at 0.
      </p>
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-left text-sm" data-testid="model-prices">
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Model</th>
              <th scope="col" className="px-4 py-2 font-medium">Input</th>
              <th scope="col" className="px-4 py-2 font-medium">Output</th>
              <th scope="col" className="px-4 py-2 font-medium">Source</th>
              <th scope="col" className="px-4 py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {prices.map((price) => (
              <PriceRow
                key={`${price.model}:${price.source}:${price.inputUsdPerMillion}:${price.outputUsdPerMillion}`}
                price={price}
                canManage={canManage}
                onSave={(input, output) => setPrice.mutate({ model: price.model, inputUsdPerMillion: input, outputUsdPerMillion: output })}
                onReset={() => resetPrice.mutate({ model: price.model })}
              />
            ))}
          </tbody>
        </table>
      </div>
      {canManage ? (
        <form
          className="flex flex-wrap items-end gap-2"
          aria-label="Add a price"
          onSubmit={(event) => {
            event.preventDefault();
            setPrice.mutate(
              { model: adding.model, inputUsdPerMillion: Number(adding.input), outputUsdPerMillion: Number(adding.output) },
              { onSuccess: () => setAdding({ model: "", input: "", output: "" }) },
            );
          }}
        >
          <Labelled label="Model">
            <input className="field font-mono" value={adding.model} onChange={(event) => setAdding({ ...adding, model: event.target.value })} placeholder="llama3.1" required />
          </Labelled>
          <Labelled label="Input">
            <input className="field w-28" type="number" min={0} step="any" value={adding.input} onChange={(event) => setAdding({ ...adding, input: event.target.value })} required />
          </Labelled>
          <Labelled label="Output">
            <input className="field w-28" type="number" min={0} step="any" value={adding.output} onChange={(event) => setAdding({ ...adding, output: event.target.value })} required />
          </Labelled>
          <Button type="submit" disabled={setPrice.isPending}>
            Add price
          </Button>
        </form>
      ) : null}
      {setPrice.isError ? <ErrorNote>{errorMessage(setPrice.error)}</ErrorNote> : null}
      {resetPrice.isError ? <ErrorNote>{errorMessage(resetPrice.error)}</ErrorNote> : null}
    </div>
  );
}

function PriceRow({ price, canManage, onSave, onReset }: { price: Price; canManage: boolean; onSave: (input: number, output: number) => void; onReset: () => void }) {
  const [input, setInput] = useState(String(price.inputUsdPerMillion));
  const [output, setOutput] = useState(String(price.outputUsdPerMillion));
  const changed = input !== String(price.inputUsdPerMillion) || output !== String(price.outputUsdPerMillion);
  const valid = input.trim() !== "" && output.trim() !== "" && Number(input) >= 0 && Number(output) >= 0;
  return (
    <tr data-testid="model-price" data-model={price.model}>
      <td className="px-4 py-2 font-mono text-xs">{price.model}</td>
      <td className="px-4 py-2">
        {canManage ? <input aria-label={`Input price of ${price.model}`} className="field w-28" type="number" min={0} step="any" value={input} onChange={(event) => setInput(event.target.value)} /> : `$${price.inputUsdPerMillion}`}
      </td>
      <td className="px-4 py-2">
        {canManage ? <input aria-label={`Output price of ${price.model}`} className="field w-28" type="number" min={0} step="any" value={output} onChange={(event) => setOutput(event.target.value)} /> : `$${price.outputUsdPerMillion}`}
      </td>
      <td className="px-4 py-2 text-xs text-slate-500">{price.source === "default" ? "Parley's default" : "this workspace"}</td>
      <td className="px-4 py-2 text-right">
        {canManage && changed ? (
          <Button disabled={!valid} onClick={() => onSave(Number(input), Number(output))}>
            Save
          </Button>
        ) : null}
        {canManage && price.source === "workspace" && !changed ? (
          <Button variant="ghost" onClick={onReset}>
            {price.hasDefault ? "Back to default" : "Remove"}
          </Button>
        ) : null}
      </td>
    </tr>
  );
}
