"use client";
// A flow drawn for reading only (a published version, the path a run took): nodes cannot
// be moved, connected, selected or deleted. What it highlights comes from the contexts the
// caller wraps it in (canvas-context.ts).
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, type Edge } from "@xyflow/react";
import type { EditorNode } from "./graph";
import { NODE_TYPES } from "./node-types";

export function ReadOnlyCanvas({ nodes, edges, minimap = true }: { nodes: EditorNode[]; edges: Edge[]; minimap?: boolean }) {
  return (
    <ReactFlowProvider>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        deleteKeyCode={null}
        defaultEdgeOptions={{ type: "smoothstep" }}
        onlyRenderVisibleElements={nodes.length > 150}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
        minZoom={0.1}
      >
        <Background gap={20} color="#e2e8f0" />
        <Controls showInteractive={false} />
        {minimap ? <MiniMap pannable zoomable /> : null}
      </ReactFlow>
    </ReactFlowProvider>
  );
}
