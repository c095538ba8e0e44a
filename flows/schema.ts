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

export const flowGraphSchema = z.object({
  nodes: z.array(flowNodeSchema).max(5_000),
  edges: z.array(flowEdgeSchema).max(20_000),
});

export type FlowNode = z.infer<typeof flowNodeSchema>;
export type FlowEdge = z.infer<typeof flowEdgeSchema>;
export type FlowGraph = z.infer<typeof flowGraphSchema>;
