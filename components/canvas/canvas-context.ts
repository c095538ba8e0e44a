"use client";
// What canvas nodes need from the editor without holding state of their own (React Flow's
// nodes are views of the flow document, STYLE.md): actions, and what a test run lights up.
import { createContext } from "react";

export interface CanvasActions {
  readOnly: boolean;
  /** The "+" under an output port: pick a node type to add, connected to that port. */
  addAfterPort(nodeId: string, portId: string, anchor: { x: number; y: number }): void;
  updateNote(id: string, text: string): void;
}

export const CanvasActionsContext = createContext<CanvasActions>({ readOnly: true, addAfterPort: () => {}, updateNote: () => {} });

/** Nodes of the test run shown in the test panel: the one executing (or waiting) and those already passed. */
export interface RunHighlight {
  current: string | null;
  visited: ReadonlySet<string>;
}

export const RunHighlightContext = createContext<RunHighlight>({ current: null, visited: new Set() });

/** How a node differs in a version comparison: added, removed or changed (absent: the same). */
export type NodeDiffState = "added" | "removed" | "changed";

export const NodeDiffContext = createContext<ReadonlyMap<string, NodeDiffState>>(new Map());
