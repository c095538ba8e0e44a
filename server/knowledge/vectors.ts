// The semantic half of knowledge search inside PostgreSQL, with pgvector, when the server
// has it. At start (and on a process's first search) Parley looks for the `vector` extension
// in pg_available_extensions; when it is there, it creates the extension, a generated
// column "embeddingVector" (the stored `embedding` array as a vector, so uploads need no
// change) and, per embedding size, an HNSW index over it; searches then ask PostgreSQL for
// the nearest passages with `<=>` (cosine distance). Without pgvector — or when it cannot be
// set up, e.g. without the right to create extensions — the arrays are compared in the app
// (search.ts), as before. Both give the same ranking; pgvector keeps embeddings out of
// memory and scales past what a process should load.

/** Queries through any PostgreSQL client ($1… parameters): Prisma's raw queries, pg, PGlite. */
export interface Sql {
  rows<Row>(text: string, params?: unknown[]): Promise<Row[]>;
  run(text: string, params?: unknown[]): Promise<void>;
}

/** Runs `body` in one transaction. */
export type Transaction = <T>(body: (sql: Sql) => Promise<T>) => Promise<T>;

/** How this server runs semantic search: in PostgreSQL with pgvector, or over the stored arrays in the app (and why). */
export type VectorSupport = { kind: "pgvector"; version: string; index: "hnsw" | "none" } | { kind: "arrays"; reason: string };

/** HNSW indexes vectors of at most this many dimensions (pgvector's limit); larger ones are scanned. */
export const MAX_INDEXED_DIMENSIONS = 2000;

// Any constant works: it serialises two processes setting pgvector up on one database.
const SETUP_LOCK_ID = 72_616_274;

export const VECTOR_SQL = {
  available: `SELECT default_version, installed_version FROM pg_available_extensions WHERE name = 'vector'`,
  createExtension: `CREATE EXTENSION IF NOT EXISTS vector`,
  installed: `SELECT extversion FROM pg_extension WHERE extname = 'vector'`,
  column: `ALTER TABLE "KnowledgeChunk" ADD COLUMN IF NOT EXISTS "embeddingVector" vector GENERATED ALWAYS AS (CASE WHEN cardinality("embedding") > 0 THEN "embedding"::vector END) STORED`,
  dimensions: `SELECT DISTINCT cardinality("embedding") AS dimensions FROM "KnowledgeChunk" WHERE cardinality("embedding") > 0`,
} as const;

function checkDimensions(dimensions: number): number {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16_000) throw new Error(`Not an embedding size: ${dimensions}.`);
  return dimensions;
}

/**
 * The HNSW index of one embedding size. The column holds vectors of any size (models
 * differ), so each size has its own partial index over the column cast to that size.
 */
export function vectorIndexSql(dimensions: number): string {
  const size = checkDimensions(dimensions);
  return `CREATE INDEX IF NOT EXISTS "KnowledgeChunk_embeddingVector_${size}_hnsw" ON "KnowledgeChunk" USING hnsw (("embeddingVector"::vector(${size})) vector_cosine_ops) WHERE vector_dims("embeddingVector") = ${size}`;
}

/**
 * The nearest passages of some documents to a question's vector ($1, as '[…]'), among
 * those embedded by one model ($3), with their cosine similarity; $2 the document ids, $4
 * how many. Written in the index's terms (same cast, same condition) so PostgreSQL can use it.
 */
export function similarChunksSql(dimensions: number): string {
  const size = checkDimensions(dimensions);
  const distance = `"embeddingVector"::vector(${size}) <=> $1::vector(${size})`;
  return `SELECT "id", 1 - (${distance}) AS similarity FROM "KnowledgeChunk" WHERE "documentId" = ANY($2::text[]) AND "embeddingModel" = $3 AND vector_dims("embeddingVector") = ${size} ORDER BY ${distance} LIMIT $4`;
}

/** Whether pgvector `version` has HNSW indexes (0.5.0) and iterative index scans (0.8.0). */
function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

/** Looks for pgvector and, when the server has it, sets up the extension, the vector column and its indexes. */
export async function prepareVectorSupport(transaction: Transaction): Promise<VectorSupport> {
  try {
    return await transaction(async (sql): Promise<VectorSupport> => {
      await sql.run("SELECT pg_advisory_xact_lock($1)", [SETUP_LOCK_ID]);
      const [available] = await sql.rows<{ installed_version: string | null }>(VECTOR_SQL.available);
      if (!available) return { kind: "arrays", reason: "this PostgreSQL server has no pgvector (pg_available_extensions lists no “vector”)" };
      if (available.installed_version === null) await sql.run(VECTOR_SQL.createExtension);
      const [installed] = await sql.rows<{ extversion: string }>(VECTOR_SQL.installed);
      const version = installed!.extversion;
      await sql.run(VECTOR_SQL.column);
      if (!atLeast(version, 0, 5)) return { kind: "pgvector", version, index: "none" };
      for (const { dimensions } of await sql.rows<{ dimensions: number }>(VECTOR_SQL.dimensions)) {
        if (dimensions <= MAX_INDEXED_DIMENSIONS) await sql.run(vectorIndexSql(dimensions));
      }
      return { kind: "pgvector", version, index: "hnsw" };
    });
  } catch (error) {
    return { kind: "arrays", reason: `pgvector is available but could not be set up: ${(error as Error).message}` };
  }
}

/** Indexes vectors of a size a new upload brought, when pgvector indexes them. */
export async function ensureVectorIndex(sql: Sql, support: VectorSupport, dimensions: number): Promise<void> {
  if (support.kind === "pgvector" && support.index === "hnsw" && dimensions <= MAX_INDEXED_DIMENSIONS) await sql.run(vectorIndexSql(dimensions));
}

/** The chunks of `documentIds` nearest to `vector` by cosine, in PostgreSQL. */
export async function similarChunks(
  transaction: Transaction,
  support: Extract<VectorSupport, { kind: "pgvector" }>,
  input: { documentIds: string[]; model: string; vector: number[]; limit: number },
): Promise<{ id: string; similarity: number }[]> {
  return transaction(async (sql) => {
    if (support.index === "hnsw") {
      // The index is shared by every workspace: look further than the default 40 candidates, and
      // (0.8+) keep scanning until enough of them belong to these documents.
      await sql.run("SET LOCAL hnsw.ef_search = 100");
      if (atLeast(support.version, 0, 8)) await sql.run("SET LOCAL hnsw.iterative_scan = relaxed_order");
    }
    const rows = await sql.rows<{ id: string; similarity: number }>(similarChunksSql(input.vector.length), [`[${input.vector.join(",")}]`, input.documentIds, input.model, input.limit]);
    return rows.map((row) => ({ id: row.id, similarity: Number(row.similarity) }));
  });
}

export function describeVectorSupport(support: VectorSupport): string {
  return support.kind === "pgvector"
    ? `semantic search in PostgreSQL with pgvector ${support.version}${support.index === "hnsw" ? " (HNSW index)" : " (exact scan: HNSW needs pgvector 0.5)"}`
    : `semantic search in the app over stored arrays: ${support.reason}`;
}
