"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/notice";

const IMPORT = "import";

/** "New flow": a name and a template (or an exported flow file), then straight to the canvas. */
export function NewFlowButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [templateId, setTemplateId] = useState("blank");
  const dialog = useRef<HTMLDialogElement>(null);
  const templates = useQuery({ ...trpc.flows.templates.queryOptions(), enabled: open });
  const [file, setFile] = useState<File | null>(null);
  const create = useMutation(
    trpc.flows.create.mutationOptions({
      onSuccess: ({ id }) => router.push(`/flows/${id}`),
    }),
  );
  const importFile = useMutation(
    trpc.flows.import.mutationOptions({
      onSuccess: ({ id }) => router.push(`/flows/${id}`),
    }),
  );
  const importing = templateId === IMPORT;
  const pending = create.isPending || importFile.isPending;
  const failure = create.error ?? importFile.error;

  useEffect(() => {
    const element = dialog.current;
    if (open && element && !element.open) element.showModal();
    if (!open && element?.open) element.close();
  }, [open]);

  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        New flow
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby="new-flow-title"
        onCancel={(event) => {
          event.preventDefault();
          setOpen(false);
        }}
        className="m-auto w-full max-w-lg rounded-lg bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <form
          className="space-y-4 p-5"
          onSubmit={(event) => {
            event.preventDefault();
            if (!importing) create.mutate({ name, templateId });
            else if (file) void file.text().then((text) => importFile.mutate({ name: name.trim() || undefined, text }));
          }}
        >
          <h2 id="new-flow-title" className="text-base font-semibold text-slate-900">
            New flow
          </h2>
          <label className="block space-y-1 text-sm">
            <span className="font-medium text-slate-700">Name</span>
            <input
              className="field"
              value={name}
              onChange={(event) => setName(event.target.value)}
              placeholder={importing ? "the file's name when empty" : "e.g. Order status"}
              required={!importing}
              maxLength={80}
              autoFocus
            />
          </label>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-slate-700">Start from</legend>
            {templates.isPending ? <p className="text-sm text-slate-500">Loading templates…</p> : null}
            {templates.isError ? <ErrorNote>Could not load templates: {errorMessage(templates.error)}</ErrorNote> : null}
            {templates.data?.map((template) => (
              <label
                key={template.id}
                className={`flex cursor-pointer gap-3 rounded-md border p-3 text-sm ${templateId === template.id ? "border-brand-500 bg-brand-50" : "border-slate-200 hover:border-slate-300"}`}
              >
                <input type="radio" name="template" value={template.id} checked={templateId === template.id} onChange={() => setTemplateId(template.id)} className="mt-0.5" />
                <span>
                  <span className="font-medium text-slate-900">{template.name}</span>
                  <span className="ml-2 text-xs text-slate-400">{template.nodes} nodes</span>
                  <span className="block text-slate-600">{template.description}</span>
                </span>
              </label>
            ))}
            <label
              className={`flex cursor-pointer gap-3 rounded-md border p-3 text-sm ${importing ? "border-brand-500 bg-brand-50" : "border-slate-200 hover:border-slate-300"}`}
            >
              <input type="radio" name="template" value={IMPORT} checked={importing} onChange={() => setTemplateId(IMPORT)} className="mt-0.5" />
              <span className="min-w-0 flex-1">
                <span className="font-medium text-slate-900">Import a flow file</span>
                <span className="block text-slate-600">A .json file exported from Parley (Export on the canvas).</span>
                {importing ? (
                  <input
                    type="file"
                    accept="application/json,.json"
                    aria-label="Flow file"
                    className="mt-2 block w-full text-xs"
                    onChange={(event) => setFile(event.target.files?.[0] ?? null)}
                  />
                ) : null}
              </span>
            </label>
          </fieldset>
          {failure ? <ErrorNote>{errorMessage(failure)}</ErrorNote> : null}
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={pending || (importing ? file === null : name.trim() === "")}>
              {pending ? "Creating…" : importing ? "Import and open" : "Create and open"}
            </Button>
          </div>
        </form>
      </dialog>
    </>
  );
}
