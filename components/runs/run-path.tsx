"use client";
// The path a run took, lit up on a read-only canvas of the version it ran: the nodes it
// executed, the connections it followed, and where it stopped (waiting, or failed).
import type { Edge } from "@xyflow/react";
import { useMemo } from "react";
import type { FlowGraph } from "@/flows/schema";
import { RunHighlightContext } from "@/components/canvas/canvas-context";
import { toCanvas, type EditorNode } from "@/components/canvas/graph";
import { ReadOnlyCanvas } from "@/components/canvas/read-only-canvas";

interface TracedStep {
  nodeId: string;
  port: string | null;
}

/** Steps of the run itself; a called flow's nodes are traced as "caller/inner" and are not on this canvas. */
function pathOf<Step extends TracedStep>(traces: Step[]): Step[] {
  return traces.filter((trace) => !trace.nodeId.includes("/"));
}

export function RunPath({ graph, traces, stoppedAt }: { graph: FlowGraph; traces: TracedStep[]; stoppedAt: string | null }) {
  const shown = useMemo(() => {
    const path = pathOf(traces);
    const canvas = toCanvas(graph);
    const taken = new Set<string>();
    path.forEach((step, index) => {
      const next = path[index + 1];
      if (next && step.port) taken.add(`${step.nodeId}\u0000${step.port}\u0000${next.nodeId}`);
    });
    const edges: Edge[] = canvas.edges.map((edge) =>
      taken.has(`${edge.source}\u0000${edge.sourceHandle}\u0000${edge.target}`) ? { ...edge, style: { stroke: "#0284c7", strokeWidth: 3 }, animated: true } : { ...edge, style: { opacity: 0.45 } },
    );
    return {
      nodes: [...canvas.nodes, ...canvas.notes] as EditorNode[],
      edges,
      highlight: { current: stoppedAt, visited: new Set(path.map((step) => step.nodeId)) },
    };
  }, [graph, traces, stoppedAt]);
  return (
    <div className="h-96" data-testid="run-path">
      <RunHighlightContext.Provider value={shown.highlight}>
        <ReadOnlyCanvas nodes={shown.nodes} edges={shown.edges} minimap={false} />
      </RunHighlightContext.Provider>
    </div>
  );
}
