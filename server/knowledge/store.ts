// The workspace's knowledge base in PostgreSQL: documents (stored as passages) and CSV
// tables (stored as rows), added and removed in Settings → Knowledge, searched by lookup
// nodes. Search indexes are built in memory from the stored passages on first use and
// reused until the collection or table changes; the passages' embeddings are compared in
// PostgreSQL when it has pgvector (vectors.ts), else in memory.
import { KNOWLEDGE_NAME, KNOWLEDGE_NAME_HINT, knowledgeSearchRequestSchema, tableSearchRequestSchema, type KnowledgeSearchOutcome, type KnowledgeSearchRequest, type TableSearchOutcome, type TableSearchRequest } from "@/flows/knowledge";
import { db } from "@/server/db/client";
import { extractPassages, KnowledgeInputError, parseCsvTable } from "./parse";
import { embedOrNull, workspaceEmbedder } from "@/server/ai/embeddings";
import { log } from "@/server/observability/log";
import { PassageIndex, SEMANTIC_CANDIDATES, TableIndex, type SemanticMatch } from "./search";
import { describeVectorSupport, ensureVectorIndex, prepareVectorSupport, similarChunks, type Sql, type Transaction, type VectorSupport } from "./vectors";

function checkName(kind: "collection" | "table", name: string): void {
  if (!KNOWLEDGE_NAME.test(name)) throw new KnowledgeInputError(`“${name}” cannot name a ${kind}: ${KNOWLEDGE_NAME_HINT}.`);
}

export interface Upload {
  workspaceId: string;
  userId: string;
  fileName: string;
  bytes: Uint8Array;
}

/** Adds a document to a collection, replacing one of the same name there. */
export async function addDocument(input: Upload & { collection: string }) {
  checkName("collection", input.collection);
  const name = input.fileName.trim().slice(0, 200);
  const { format, chunks } = await extractPassages(name, input.bytes);
  // Embedded before the transaction: a slow provider must not hold it open.
  const embedder = await workspaceEmbedder(input.workspaceId);
  const vectors = await embedOrNull(embedder, chunks.map((chunk) => (chunk.heading ? `${chunk.heading}\n${chunk.text}` : chunk.text)));
  const added = await db().$transaction(
    async (tx) => {
      await tx.knowledgeDocument.deleteMany({ where: { workspaceId: input.workspaceId, collection: input.collection, name } });
      const document = await tx.knowledgeDocument.create({
        data: { workspaceId: input.workspaceId, collection: input.collection, name, format, sizeBytes: input.bytes.byteLength, uploadedById: input.userId },
      });
      await tx.knowledgeChunk.createMany({
        data: chunks.map((chunk, position) => ({
          documentId: document.id,
          position,
          heading: chunk.heading,
          text: chunk.text,
          embedding: vectors?.[position] ?? [],
          embeddingModel: vectors ? embedder!.model : null,
        })),
      });
      await tx.auditLog.create({
        data: { workspaceId: input.workspaceId, userId: input.userId, action: "knowledge.document.add", target: document.id, details: { collection: input.collection, name, passages: chunks.length } },
      });
      return { id: document.id, collection: input.collection, name, format, passages: chunks.length, embedded: vectors ? embedder!.model : null };
    },
    { timeout: 60_000 },
  );
  // A new embedding size (another model) gets its pgvector index; the column fills itself.
  if (vectors?.[0]) await ensureVectorIndex(prismaSql(db()), await vectorSupport(), vectors[0].length);
  return added;
}

/** Adds a CSV table, replacing one of the same name. */
export async function addTable(input: Upload & { name: string }) {
  checkName("table", input.name);
  const { columns, rows } = parseCsvTable(input.fileName, input.bytes);
  return db().$transaction(
    async (tx) => {
      await tx.knowledgeTable.deleteMany({ where: { workspaceId: input.workspaceId, name: input.name } });
      const table = await tx.knowledgeTable.create({
        data: { workspaceId: input.workspaceId, name: input.name, columns, sizeBytes: input.bytes.byteLength, uploadedById: input.userId },
      });
      await tx.knowledgeTableRow.createMany({ data: rows.map((data, position) => ({ tableId: table.id, position, data })) });
      await tx.auditLog.create({
        data: { workspaceId: input.workspaceId, userId: input.userId, action: "knowledge.table.add", target: table.id, details: { name: input.name, rows: rows.length } },
      });
      return { id: table.id, name: input.name, columns, rows: rows.length };
    },
    { timeout: 60_000 },
  );
}

export async function listKnowledge(workspaceId: string) {
  const [documents, tables, support] = await Promise.all([
    db().knowledgeDocument.findMany({
      where: { workspaceId },
      orderBy: [{ collection: "asc" }, { name: "asc" }],
      select: { id: true, collection: true, name: true, format: true, sizeBytes: true, createdAt: true, _count: { select: { chunks: true } } },
    }),
    db().knowledgeTable.findMany({
      where: { workspaceId },
      orderBy: { name: "asc" },
      select: { id: true, name: true, columns: true, sizeBytes: true, createdAt: true, _count: { select: { rows: true } } },
    }),
    vectorSupport(),
  ]);
  return {
    /** Where passages' embeddings are compared: shown in Settings → Knowledge. */
    semanticSearch: describeVectorSupport(support),
    documents: documents.map(({ _count, ...document }) => ({ ...document, passages: _count.chunks })),
    tables: tables.map(({ _count, ...table }) => ({ ...table, rows: _count.rows })),
  };
}

/** Removes a document or a table of the workspace; false when there is no such thing. */
export async function removeKnowledge(input: { workspaceId: string; userId: string; kind: "document" | "table"; id: string }): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const where = { id: input.id, workspaceId: input.workspaceId };
    const removed = input.kind === "document" ? await tx.knowledgeDocument.deleteMany({ where }) : await tx.knowledgeTable.deleteMany({ where });
    if (removed.count === 0) return false;
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: `knowledge.${input.kind}.remove`, target: input.id, details: {} } });
    return true;
  });
}

// ---------------------------------------------------------------------------------------
// Search

/** Indexes kept in memory, least recently used dropped first. */
const MAX_CACHED_INDEXES = 50;
const indexes = new Map<string, { version: string; index: PassageIndex | TableIndex }>();

function remember<T extends PassageIndex | TableIndex>(key: string, version: string, index: T): T {
  indexes.delete(key);
  indexes.set(key, { version, index });
  if (indexes.size > MAX_CACHED_INDEXES) indexes.delete(indexes.keys().next().value!);
  return index;
}

function recall(key: string, version: string): PassageIndex | TableIndex | undefined {
  const entry = indexes.get(key);
  if (!entry || entry.version !== version) return undefined;
  indexes.delete(key);
  indexes.set(key, entry);
  return entry.index;
}

export async function searchKnowledge(workspaceId: string, request: KnowledgeSearchRequest): Promise<KnowledgeSearchOutcome> {
  const { collection, query, limit } = knowledgeSearchRequestSchema.parse(request);
  const documents = await db().knowledgeDocument.findMany({ where: { workspaceId, collection }, select: { id: true, createdAt: true }, orderBy: { id: "asc" } });
  if (documents.length === 0) return { ok: false, error: `No documents in the collection “${collection}”: upload some in Settings → Knowledge.` };
  // Documents are replaced, never edited: their ids say whether the collection changed.
  const version = documents.map((document) => document.id).join(",");
  const key = `documents:${workspaceId}:${collection}`;
  const support = await vectorSupport();
  let index = recall(key, version) as PassageIndex | undefined;
  if (!index) {
    // With pgvector the embeddings stay in PostgreSQL, which compares them.
    const inMemory = support.kind === "arrays";
    const chunks = await db().knowledgeChunk.findMany({
      where: { documentId: { in: documents.map((document) => document.id) } },
      select: { id: true, heading: true, text: true, embedding: inMemory, embeddingModel: true, document: { select: { name: true } } },
      orderBy: [{ documentId: "asc" }, { position: "asc" }],
    });
    const model = mostCommon(chunks.map((chunk) => chunk.embeddingModel).filter((name): name is string => name !== null));
    const passages = chunks.map((chunk) => ({
      chunkId: chunk.id,
      document: chunk.document.name,
      heading: chunk.heading,
      text: chunk.text,
      embedding: inMemory && chunk.embeddingModel === model && chunk.embedding.length > 0 ? chunk.embedding : null,
    }));
    index = remember(key, version, new PassageIndex(passages, model));
  }
  // The question is compared with the passages only when embedded by the same model.
  const embedder = index.embeddingModel ? await workspaceEmbedder(workspaceId) : null;
  const queryVector = embedder?.model === index.embeddingModel ? ((await embedOrNull(embedder, [query]))?.[0] ?? null) : null;
  let semantic: SemanticMatch[] | null = null;
  if (queryVector && support.kind === "pgvector") {
    try {
      const near = await similarChunks(transaction, support, { documentIds: documents.map((document) => document.id), model: index.embeddingModel!, vector: queryVector, limit: SEMANTIC_CANDIDATES });
      semantic = near.flatMap(({ id, similarity }) => {
        const position = index.position(id);
        return position === undefined ? [] : [{ position, similarity }];
      });
    } catch (error) {
      log().warn({ collection, reason: (error as Error).message }, "pgvector search failed; keyword search only");
    }
  } else if (queryVector) {
    semantic = index.similar(queryVector);
  }
  return { ok: true, passages: index.search(query, limit, semantic) };
}

type PrismaLike = Pick<ReturnType<typeof db>, "$queryRawUnsafe" | "$executeRawUnsafe">;

function prismaSql(client: PrismaLike): Sql {
  return {
    rows: (text, params = []) => client.$queryRawUnsafe(text, ...params),
    run: async (text, params = []) => {
      await client.$executeRawUnsafe(text, ...params);
    },
  };
}

const transaction: Transaction = (body) => db().$transaction((tx) => body(prismaSql(tx)), { timeout: 120_000 });

let support: Promise<VectorSupport> | undefined;

/**
 * Whether this server compares embeddings with pgvector (set up on first call, once per
 * process): `npm start` calls it at start and logs the answer.
 */
export function vectorSupport(): Promise<VectorSupport> {
  support ??= prepareVectorSupport(transaction);
  return support;
}


export async function searchTable(workspaceId: string, request: TableSearchRequest): Promise<TableSearchOutcome> {
  const { table: name, filters, query, limit } = tableSearchRequestSchema.parse(request);
  const table = await db().knowledgeTable.findUnique({ where: { workspaceId_name: { workspaceId, name } }, select: { id: true, columns: true } });
  if (!table) return { ok: false, error: `No table named “${name}”: upload it in Settings → Knowledge.` };
  const key = `table:${table.id}`;
  let index = recall(key, table.id) as TableIndex | undefined;
  if (!index) {
    const rows = await db().knowledgeTableRow.findMany({ where: { tableId: table.id }, select: { data: true }, orderBy: { position: "asc" } });
    index = remember(key, table.id, new TableIndex(name, table.columns, rows.map((row) => row.data as Record<string, string>)));
  }
  return index.search(filters, query, limit);
}

async function workspaceOf(conversationId: string): Promise<string> {
  const conversation = await db().conversation.findUniqueOrThrow({ where: { id: conversationId }, select: { workspaceId: true } });
  return conversation.workspaceId;
}

/** `ctx.knowledge.search` of a run: the conversation's workspace's documents. */
export async function searchKnowledgeForRun(input: { conversationId: string; request: KnowledgeSearchRequest }): Promise<KnowledgeSearchOutcome> {
  return searchKnowledge(await workspaceOf(input.conversationId), input.request);
}

/** `ctx.tables.search` of a run: the conversation's workspace's tables. */
export async function searchTableForRun(input: { conversationId: string; request: TableSearchRequest }): Promise<TableSearchOutcome> {
  return searchTable(await workspaceOf(input.conversationId), input.request);
}

function mostCommon(values: string[]): string | null {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}
