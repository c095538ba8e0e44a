// Flows as files: what "Export" downloads and "Import" reads. A plain JSON document that
// names its format, so a file from elsewhere is recognised, and whose graph is checked by
// the same schema and validator as the canvas.
import { z } from "zod";
import { flowGraphSchema, type FlowGraph } from "./schema";
import { validateFlow, type Diagnostic } from "./validator";

export const FLOW_FILE_FORMAT = "parley.flow";

export const flowFileSchema = z.object({
  format: z.literal(FLOW_FILE_FORMAT),
  version: z.literal(1),
  name: z.string().trim().min(1).max(80),
  exportedAt: z.string().optional(),
  graph: flowGraphSchema,
});
export type FlowFile = z.infer<typeof flowFileSchema>;

export function exportFlow(name: string, graph: FlowGraph, now = new Date()): FlowFile {
  return { format: FLOW_FILE_FORMAT, version: 1, name, exportedAt: now.toISOString(), graph };
}

export type FlowImport =
  | { ok: true; name: string | null; graph: FlowGraph; diagnostics: Diagnostic[] }
  /** Nothing can be imported: the text is not a flow. Each problem names where it is. */
  | { ok: false; problems: string[] };

/**
 * Reads an exported file, or a bare `{ nodes, edges }` graph. A structurally valid flow is
 * imported even with diagnostics (an unknown node type, a dangling port): it becomes a
 * draft to fix, and publishing refuses it until then.
 */
export function importFlow(text: string): FlowImport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`The file is not JSON: ${(error as Error).message}`] };
  }
  const format = typeof json === "object" && json !== null && "format" in json ? String(json.format) : null;
  if (format !== null && format !== FLOW_FILE_FORMAT) return { ok: false, problems: [`Not a Parley flow file: its format is “${format}”.`] };
  const isFile = format !== null;
  const parsed = isFile ? flowFileSchema.safeParse(json) : flowGraphSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.slice(0, 20).map((issue) => `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`),
    };
  }
  const graph = "graph" in parsed.data ? parsed.data.graph : parsed.data;
  const name = "name" in parsed.data ? parsed.data.name : null;
  return { ok: true, name, graph, diagnostics: validateFlow(graph) };
}
