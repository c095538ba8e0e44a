// pgvector's setup and nearest-passage query, run for real on PGlite (PostgreSQL 17 in
// WebAssembly) with its pgvector build, on a KnowledgeChunk table shaped like Parley's (the
// columns the SQL reads, with their types): the machine's PostgreSQL service has no
// pgvector, so this is where the pgvector path's SQL is executed. The fallback on a server
// without it runs against the real service in tests/integration/knowledge-embeddings.test.ts.
import { PGlite, type Transaction as PGliteTransaction } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureVectorIndex, prepareVectorSupport, similarChunks, similarChunksSql, vectorIndexSql, type Sql, type Transaction, type VectorSupport } from "./vectors";

const CHUNKS_TABLE = `CREATE TABLE "KnowledgeChunk" ("id" TEXT PRIMARY KEY, "documentId" TEXT NOT NULL, "embedding" DOUBLE PRECISION[], "embeddingModel" TEXT)`;

function pgliteSql(client: PGlite | PGliteTransaction): Sql {
  return {
    rows: async <Row,>(text: string, params: unknown[] = []) => (await client.query<Row>(text, params)).rows,
    run: async (text, params = []) => {
      await client.query(text, params);
    },
  };
}

function transactionOn(client: PGlite): Transaction {
  return (body) => client.transaction((tx) => body(pgliteSql(tx)));
}

const indexes = async (client: PGlite) => (await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'KnowledgeChunk' AND indexname LIKE '%hnsw' ORDER BY 1`)).rows.map((row) => row.indexname);

describe("a server with pgvector", () => {
  let client: PGlite;
  let support: VectorSupport;
  beforeAll(async () => {
    client = await PGlite.create({ extensions: { vector } });
    await client.exec(CHUNKS_TABLE);
    await client.exec(`INSERT INTO "KnowledgeChunk" VALUES
      ('refund', 'doc-a', '{1,0,0}', 'small'), ('shipping', 'doc-a', '{0,1,0}', 'small'), ('mixed', 'doc-a', '{0.7,0.7,0}', 'small'),
      ('no-vector', 'doc-a', '{}', NULL), ('other-model', 'doc-a', '{1,0,0}', 'large'), ('other-document', 'doc-b', '{1,0,0}', 'small')`);
    support = await prepareVectorSupport(transactionOn(client));
  }, 60_000);
  afterAll(() => client.close());

  test("the extension, a vector column generated from the stored arrays and an HNSW index per embedding size are set up", async () => {
    expect(support).toEqual({ kind: "pgvector", version: "0.8.1", index: "hnsw" });
    const stored = await client.query<{ id: string; vector: string | null }>(`SELECT "id", "embeddingVector"::text AS vector FROM "KnowledgeChunk" ORDER BY "id"`);
    expect(stored.rows).toContainEqual({ id: "refund", vector: "[1,0,0]" });
    expect(stored.rows).toContainEqual({ id: "no-vector", vector: null });
    expect(await indexes(client)).toEqual(["KnowledgeChunk_embeddingVector_3_hnsw"]);

    // New rows fill the column themselves; a new size gets its index; setting up again changes nothing.
    await client.exec(`INSERT INTO "KnowledgeChunk" VALUES ('four', 'doc-c', '{0,0,0,1}', 'wide')`);
    await ensureVectorIndex(pgliteSql(client), support, 4);
    expect((await client.query<{ vector: string }>(`SELECT "embeddingVector"::text AS vector FROM "KnowledgeChunk" WHERE "id" = 'four'`)).rows[0]!.vector).toBe("[0,0,0,1]");
    expect(await prepareVectorSupport(transactionOn(client))).toEqual(support);
    expect(await indexes(client)).toEqual(["KnowledgeChunk_embeddingVector_3_hnsw", "KnowledgeChunk_embeddingVector_4_hnsw"]);
  });

  test("the nearest passages of the collection's documents, by the same model, with their cosine similarity", async () => {
    const near = await similarChunks(transactionOn(client), support as Extract<VectorSupport, { kind: "pgvector" }>, { documentIds: ["doc-a"], model: "small", vector: [0.9, 0.1, 0], limit: 2 });
    expect(near.map((row) => row.id)).toEqual(["refund", "mixed"]);
    expect(near[0]!.similarity).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 6);
  });

  test("the query is written so PostgreSQL can answer it from the HNSW index", async () => {
    const plan = await client.transaction(async (tx) => {
      await tx.exec("SET LOCAL enable_seqscan = off");
      const explained = await tx.query<{ "QUERY PLAN": string }>(`EXPLAIN ${similarChunksSql(3)}`, ["[1,0,0]", ["doc-a"], "small", 5]);
      return explained.rows.map((row) => row["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("Index Scan using \"KnowledgeChunk_embeddingVector_3_hnsw\"");
  });
});

describe("a server without pgvector", () => {
  test("semantic search stays in the app, and says why", async () => {
    const client = await PGlite.create();
    await client.exec(CHUNKS_TABLE);
    expect(await prepareVectorSupport(transactionOn(client))).toEqual({ kind: "arrays", reason: "this PostgreSQL server has no pgvector (pg_available_extensions lists no “vector”)" });
    await client.close();
  }, 60_000);

  test("a setup that fails leaves the arrays in use, with the error", async () => {
    const client = await PGlite.create({ extensions: { vector } });
    // No KnowledgeChunk table: the column cannot be added.
    expect(await prepareVectorSupport(transactionOn(client))).toEqual({ kind: "arrays", reason: expect.stringMatching(/^pgvector is available but could not be set up: .*KnowledgeChunk/) });
    await client.close();
  }, 60_000);
});

test("embedding sizes are checked before they reach SQL", () => {
  expect(() => vectorIndexSql(0)).toThrow("Not an embedding size: 0.");
  expect(() => similarChunksSql(1.5)).toThrow();
  expect(vectorIndexSql(1536)).toBe(
    `CREATE INDEX IF NOT EXISTS "KnowledgeChunk_embeddingVector_1536_hnsw" ON "KnowledgeChunk" USING hnsw (("embeddingVector"::vector(1536)) vector_cosine_ops) WHERE vector_dims("embeddingVector") = 1536`,
  );
});
