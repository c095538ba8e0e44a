"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { knowledgeName } from "@/flows/knowledge";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { Spinner, TableSkeleton } from "@/components/ui/spinner";

/** The same limit the server applies (server/knowledge/parse.ts), checked before sending. */
const MAX_FILE_MB = 10;
const ACCEPT = ".txt,.md,.markdown,.html,.htm,.pdf,.csv";

type Kind = "document" | "table";

/** Documents and CSV tables that lookup nodes search: upload, list, remove, try a search. */
export function Knowledge() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.knowledge.list.queryOptions());
  const [removing, setRemoving] = useState<{ kind: Kind; id: string; name: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.knowledge.list.queryKey() });
  const remove = useMutation(trpc.knowledge.remove.mutationOptions({ onSuccess: () => void refresh() }));

  const collections = [...new Set(list.data?.documents.map((document) => document.collection) ?? [])];
  const tableNames = list.data?.tables.map((table) => table.name) ?? [];

  return (
    <section className="space-y-8">
      <p className="max-w-2xl text-sm text-slate-600">
        A <strong>Look up</strong> node searches these: the passages of a <em>collection</em> of documents that best match the contact&apos;s question (for an LLM node to
        quote), or the rows of a <em>table</em> (a product catalog) by field and by words. Uploading a file with the same name again replaces it.
      </p>

      {list.data ? (
        <p className="max-w-2xl text-xs text-slate-500" data-testid="semantic-search">
          With an embedding model (Settings → Models): {list.data.semanticSearch}.
        </p>
      ) : null}

      <UploadForm onUploaded={() => void refresh()} />

      {list.isPending ? (
        <TableSkeleton label="Loading the knowledge base" />
      ) : list.isError ? (
        <ErrorNote>Could not load the knowledge base: {errorMessage(list.error)}</ErrorNote>
      ) : list.data.documents.length === 0 && list.data.tables.length === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white">
          <EmptyState title="Nothing uploaded yet" icon="📚">
            Upload your FAQ, policies or manuals (.txt, .md, .html, .pdf, .csv) as documents, and a product catalog (.csv) as a table.
          </EmptyState>
        </div>
      ) : (
        <>
          {list.data.documents.length > 0 ? (
            <ListTable
              caption="Documents"
              headings={["Collection", "Name", "Size", "Passages", "Uploaded"]}
              rows={list.data.documents.map((document) => ({
                id: document.id,
                cells: [document.collection, document.name, formatSize(document.sizeBytes), String(document.passages), formatDateTime(document.createdAt)],
                onRemove: () => setRemoving({ kind: "document", id: document.id, name: document.name }),
              }))}
            />
          ) : null}
          {list.data.tables.length > 0 ? (
            <ListTable
              caption="Tables"
              headings={["Name", "Columns", "Size", "Rows", "Uploaded"]}
              rows={list.data.tables.map((table) => ({
                id: table.id,
                cells: [table.name, table.columns.join(", "), formatSize(table.sizeBytes), String(table.rows), formatDateTime(table.createdAt)],
                onRemove: () => setRemoving({ kind: "table", id: table.id, name: table.name }),
              }))}
            />
          ) : null}
        </>
      )}
      {remove.isError ? <ErrorNote>{errorMessage(remove.error)}</ErrorNote> : null}

      {collections.length > 0 || tableNames.length > 0 ? <TrySearch collections={collections} tables={tableNames} /> : null}

      <ConfirmDialog
        open={removing !== null}
        title={`Remove “${removing?.name}”?`}
        confirmLabel="Remove"
        danger
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (removing) remove.mutate({ kind: removing.kind, id: removing.id });
          setRemoving(null);
        }}
      >
        Lookup nodes stop finding it at once. Answers already kept for a conversation stay until they expire.
      </ConfirmDialog>
    </section>
  );
}

function UploadForm({ onUploaded }: { onUploaded: () => void }) {
  const trpc = useTRPC();
  const [kind, setKind] = useState<Kind>("document");
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("faq");
  const [reading, setReading] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const addDocument = useMutation(trpc.knowledge.addDocument.mutationOptions());
  const addTable = useMutation(trpc.knowledge.addTable.mutationOptions());
  const uploading = addDocument.isPending || addTable.isPending || reading !== null;

  function choose(next: File | null) {
    setFile(next);
    setDone(null);
    setProblem(next && next.size > MAX_FILE_MB * 1024 * 1024 ? `“${next.name}” is over ${MAX_FILE_MB} MB: split it into smaller files.` : null);
    if (next && kind === "table") setName(knowledgeName(next.name));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file || problem) return;
    setDone(null);
    try {
      const content = await readBase64(file, setReading);
      setReading(null);
      if (kind === "document") {
        const added = await addDocument.mutateAsync({ collection: name, fileName: file.name, content });
        setDone(`“${added.name}” added to “${added.collection}”: ${added.passages} passages.`);
      } else {
        const added = await addTable.mutateAsync({ name, fileName: file.name, content });
        setDone(`Table “${added.name}” added: ${added.rows} rows, columns ${added.columns.join(", ")}.`);
      }
      setFile(null);
      onUploaded();
    } catch (error) {
      setReading(null);
      setProblem(errorMessage(error));
    }
  }

  return (
    <form onSubmit={submit} className="max-w-2xl space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="upload-title">
      <h2 id="upload-title" className="text-sm font-semibold text-slate-900">
        Upload
      </h2>
      <fieldset className="flex gap-4 text-sm" disabled={uploading}>
        <legend className="sr-only">What the file is</legend>
        {(
          [
            ["document", "Document (searched by its text)"],
            ["table", "Table (CSV, searched by field)"],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="flex items-center gap-1.5">
            <input
              type="radio"
              name="kind"
              value={value}
              checked={kind === value}
              onChange={() => {
                setKind(value);
                setName(value === "table" ? (file ? knowledgeName(file.name) : "products") : "faq");
              }}
              className="accent-brand-600"
            />
            {label}
          </label>
        ))}
      </fieldset>
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">File</span>
          <input
            type="file"
            accept={kind === "table" ? ".csv" : ACCEPT}
            disabled={uploading}
            onChange={(event) => choose(event.target.files?.[0] ?? null)}
            className="block text-sm file:mr-2 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm"
          />
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">{kind === "document" ? "Collection" : "Table name"}</span>
          <input value={name} onChange={(event) => setName(event.target.value.toLowerCase())} maxLength={40} disabled={uploading} className="field w-44" />
        </label>
        <Button type="submit" variant="primary" disabled={uploading || !file || problem !== null || name === ""}>
          Upload
        </Button>
      </div>
      <p className="text-xs text-slate-500">
        {kind === "document" ? ".txt, .md, .html, .pdf or .csv, up to 10 MB. Lookup nodes name the collection, e.g. “faq”." : "A .csv file whose first line names the columns, up to 10 MB."}
      </p>
      {reading !== null ? (
        <div className="space-y-1">
          <Spinner label={`Reading the file (${reading} %)`} />
          <progress max={100} value={reading} className="h-1.5 w-full" aria-label="Reading the file" />
        </div>
      ) : uploading ? (
        <Spinner label={kind === "document" ? "Uploading and cutting into passages" : "Uploading the rows"} />
      ) : null}
      {problem ? <ErrorNote>{problem}</ErrorNote> : null}
      {done ? (
        <p role="status" className="text-sm text-green-700">
          {done}
        </p>
      ) : null}
    </form>
  );
}

function readBase64(file: File, onProgress: (percent: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (event) => onProgress(event.lengthComputable ? Math.round((event.loaded / event.total) * 100) : 0);
    reader.onerror = () => reject(new Error(`“${file.name}” could not be read.`));
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    onProgress(0);
    reader.readAsDataURL(file);
  });
}

function ListTable({ caption, headings, rows }: { caption: string; headings: string[]; rows: { id: string; cells: string[]; onRemove: () => void }[] }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="w-full text-left text-sm">
        <caption className="px-4 pt-3 text-left text-sm font-semibold text-slate-900">{caption}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {headings.map((heading) => (
              <th key={heading} scope="col" className="px-4 py-2 font-medium">
                {heading}
              </th>
            ))}
            <th scope="col" className="px-4 py-2" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={row.id} data-testid="knowledge-row">
              {row.cells.map((cell, index) => (
                <td key={index} className={`px-4 py-2.5 ${index === 0 ? "font-medium" : ""} ${index === 1 && caption === "Tables" ? "max-w-xs truncate text-xs" : ""}`}>
                  {cell}
                </td>
              ))}
              <td className="px-4 py-2.5 text-right">
                <Button variant="ghost" onClick={row.onRemove}>
                  Remove
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Ask what a contact would, and see what a lookup node would get. */
function TrySearch({ collections, tables }: { collections: string[]; tables: string[] }) {
  const trpc = useTRPC();
  const targets = [...collections.map((name) => `documents:${name}`), ...tables.map((name) => `table:${name}`)];
  const [target, setTarget] = useState(targets[0] ?? "");
  const [query, setQuery] = useState("");
  const [submitted, setSubmitted] = useState<{ target: string; query: string } | null>(null);
  const current = targets.includes(target) ? target : (targets[0] ?? "");
  const [kind, name] = (submitted?.target ?? current).split(":") as ["documents" | "table", string];
  const passages = useQuery({ ...trpc.knowledge.search.queryOptions({ collection: name, query: submitted?.query ?? "" }), enabled: submitted !== null && kind === "documents" });
  const rows = useQuery({ ...trpc.knowledge.searchTable.queryOptions({ table: name, query: submitted?.query ?? "" }), enabled: submitted !== null && kind === "table" });
  const active = kind === "documents" ? passages : rows;

  return (
    <section aria-labelledby="try-title" className="space-y-3">
      <h2 id="try-title" className="text-sm font-semibold text-slate-900">
        Try a search
      </h2>
      <form
        className="flex max-w-2xl flex-wrap items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          if (query.trim()) setSubmitted({ target: current, query: query.trim() });
        }}
      >
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">In</span>
          <select className="field" value={current} onChange={(event) => setTarget(event.target.value)}>
            {targets.map((value) => (
              <option key={value} value={value}>
                {value.startsWith("documents:") ? `Documents: ${value.slice(10)}` : `Table: ${value.slice(6)}`}
              </option>
            ))}
          </select>
        </label>
        <label className="flex-1 text-sm">
          <span className="mb-1 block font-medium text-slate-700">Question</span>
          <input className="field w-full" value={query} maxLength={1000} placeholder="e.g. How long does delivery take?" onChange={(event) => setQuery(event.target.value)} />
        </label>
        <Button type="submit" disabled={query.trim() === ""}>
          Search
        </Button>
      </form>
      {submitted === null ? null : active.isFetching ? (
        <Spinner label="Searching" />
      ) : active.isError ? (
        <ErrorNote>{errorMessage(active.error)}</ErrorNote>
      ) : kind === "documents" && passages.data ? (
        passages.data.length === 0 ? (
          <p className="text-sm text-slate-500">No passage matches: a lookup node would take its “not found” port.</p>
        ) : (
          <ol className="max-w-3xl space-y-2" data-testid="search-results">
            {passages.data.map((passage, index) => (
              <li key={index} className="rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm">
                <div className="mb-1 flex items-baseline justify-between gap-2 text-xs text-slate-500">
                  <span>
                    {passage.document}
                    {passage.heading ? ` — ${passage.heading}` : ""}
                  </span>
                  <span className="font-mono">score {passage.score.toFixed(2)}</span>
                </div>
                <p className="whitespace-pre-line text-slate-800">{passage.text}</p>
              </li>
            ))}
          </ol>
        )
      ) : kind === "table" && rows.data ? (
        rows.data.rows.length === 0 ? (
          <p className="text-sm text-slate-500">No row matches: a lookup node would take its “not found” port.</p>
        ) : (
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="search-results">
            <table className="w-full text-left text-xs">
              <caption className="px-3 pt-2 text-left text-slate-500">
                {rows.data.total} matching rows{rows.data.total > rows.data.rows.length ? `, the best ${rows.data.rows.length} shown` : ""}
              </caption>
              <thead className="border-b border-slate-200 bg-slate-50 uppercase text-slate-500">
                <tr>
                  {rows.data.columns.map((column) => (
                    <th key={column} scope="col" className="px-3 py-1.5 font-medium">
                      {column}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.data.rows.map((row, index) => (
                  <tr key={index}>
                    {rows.data.columns.map((column) => (
                      <td key={column} className="px-3 py-1.5">
                        {row[column]}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
