// Settings → Knowledge: the documents and CSV tables lookup nodes search. Files arrive as
// base64 in the JSON body (tRPC), checked for size here before anything is decoded.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { KNOWLEDGE_NAME, KNOWLEDGE_NAME_HINT, MAX_PASSAGES, MAX_ROWS } from "@/flows/knowledge";
import { KnowledgeInputError, MAX_FILE_BYTES } from "@/server/knowledge/parse";
import { addDocument, addTable, listKnowledge, removeKnowledge, searchKnowledge, searchTable } from "@/server/knowledge/store";
import { procedureFor, router, withRefusals } from "../init";

const name = z.string().trim().toLowerCase().regex(KNOWLEDGE_NAME, KNOWLEDGE_NAME_HINT);
const upload = {
  fileName: z.string().trim().min(1, "The file has no name.").max(200, "The file name is over 200 characters: rename the file."),
  /** The file's bytes in base64; at most MAX_FILE_BYTES once decoded. */
  content: z
    .string()
    .max(Math.ceil(MAX_FILE_BYTES / 3) * 4, `The file is over ${MAX_FILE_BYTES / 1024 / 1024} MB: split it.`)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "The file content is not base64."),
};

export const knowledgeRouter = router({
  list: procedureFor("viewer").query(({ ctx }) => listKnowledge(ctx.viewer.workspaceId)),

  addDocument: procedureFor("editor")
    .input(z.object({ collection: name, ...upload }))
    .mutation(({ ctx, input }) =>
      withRefusals(KnowledgeInputError, () =>
        addDocument({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, collection: input.collection, fileName: input.fileName, bytes: Buffer.from(input.content, "base64") }),
      ),
    ),

  addTable: procedureFor("editor")
    .input(z.object({ name, ...upload }))
    .mutation(({ ctx, input }) =>
      withRefusals(KnowledgeInputError, () => addTable({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, name: input.name, fileName: input.fileName, bytes: Buffer.from(input.content, "base64") })),
    ),

  remove: procedureFor("editor")
    .input(z.object({ kind: z.enum(["document", "table"]), id: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      const removed = await removeKnowledge({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, kind: input.kind, id: input.id });
      if (!removed) throw new TRPCError({ code: "NOT_FOUND", message: `No such ${input.kind}: was it removed already?` });
    }),

  /** "Try a question": the passages a lookup node would get, with their scores. */
  search: procedureFor("viewer")
    .input(z.object({ collection: name, query: z.string().trim().min(1, "Type a question.").max(1000), limit: z.number().int().min(1).max(MAX_PASSAGES).default(5) }))
    .query(async ({ ctx, input }) => {
      const outcome = await searchKnowledge(ctx.viewer.workspaceId, input);
      if (!outcome.ok) throw new TRPCError({ code: "NOT_FOUND", message: outcome.error });
      return outcome.passages;
    }),

  /** "Try a search" on a table: the rows a lookup node would get for these words. */
  searchTable: procedureFor("viewer")
    .input(z.object({ table: name, query: z.string().trim().min(1, "Type some words.").max(1000), limit: z.number().int().min(1).max(MAX_ROWS).default(10) }))
    .query(async ({ ctx, input }) => {
      const outcome = await searchTable(ctx.viewer.workspaceId, { table: input.table, query: input.query, filters: [], limit: input.limit });
      if (!outcome.ok) throw new TRPCError({ code: "NOT_FOUND", message: outcome.error });
      return { columns: outcome.columns, rows: outcome.rows, total: outcome.total };
    }),
});
