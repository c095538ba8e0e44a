// The flow document: what the canvas edits, what publishing freezes into a FlowVersion,
// and what the compiler runs. Plain JSON, validated here at every boundary.
import { z } from "zod";

export const nodeIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "node ids use letters, digits, '-' and '_'");

export const flowNodeSchema = z.object({
  id: nodeIdSchema,
  type: z.string().min(1).max(64),
  /** Version of the node type's config shape this node was saved with. */
  version: z.number().int().positive().default(1),
  label: z.string().max(80).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  position: z.object({ x: z.number().finite(), y: z.number().finite() }),
});

export const flowEdgeSchema = z.object({
  id: z.string().min(1).max(160),
  from: nodeIdSchema,
  /** Output port of the source node ("next" for nodes with a single exit). */
  port: z.string().min(1).max(64).default("next"),
  to: nodeIdSchema,
});

/**
 * A sticky note on the canvas: for the people editing the flow, never run. Its id starts
 * with "note:", which node ids cannot contain, so notes and nodes never share an id.
 */
export const flowNoteSchema = z.object({
  id: z.string().regex(/^note:[A-Za-z0-9_-]{1,60}$/, "note ids are “note:” and letters, digits, '-' or '_'"),
  text: z.string().max(2_000),
  position: z.object({ x: z.number().finite(), y: z.number().finite() }),
  size: z.object({ width: z.number().finite().min(80).max(2_000), height: z.number().finite().min(40).max(2_000) }).optional(),
});

export const flowGraphSchema = z.object({
  nodes: z.array(flowNodeSchema).max(5_000),
  edges: z.array(flowEdgeSchema).max(20_000),
  /** Canvas-only: the validator, the compiler and the runtime read nodes and edges only. */
  notes: z.array(flowNoteSchema).max(500).optional(),
});

export type FlowNode = z.infer<typeof flowNodeSchema>;
export type FlowEdge = z.infer<typeof flowEdgeSchema>;
export type FlowNote = z.infer<typeof flowNoteSchema>;
export type FlowGraph = z.infer<typeof flowGraphSchema>;
