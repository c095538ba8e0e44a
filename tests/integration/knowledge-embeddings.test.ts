// Semantic knowledge search: with an embedding model set up on a provider, passages are
// embedded at upload and a question that shares no word with the answer still finds it;
// without one, or when the provider fails, search stays keyword-only and nothing breaks.
// The embeddings are compared by pgvector when the server has it, else in the app: the
// path this server takes is checked against pg_available_extensions (the pgvector path's
// SQL itself runs on PGlite's pgvector in server/knowledge/vectors.test.ts).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { seed } from "@/server/db/seed";
import { vectorSupport } from "@/server/knowledge/store";
import { appRouter } from "@/server/trpc/root";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { bagOfWordsEmbedding, startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai";

const KEY = "sk-embeddings-test-key-1234";
/** A stand-in for meaning: words of one concept share a dimension, others are hashed apart. */
const CONCEPTS = [
  ["delivery", "deliver", "shipping", "ship", "ships", "parcel", "package", "arrive", "arrives", "courier"],
  ["refund", "money", "back", "return", "returns"],
];
const embed = (text: string) => {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  return [...CONCEPTS.map((concept) => words.filter((word) => concept.includes(word)).length * 3), ...bagOfWordsEmbedding(text)];
};

let database: TestDatabase;
let openai: FakeOpenAi;
let admin: ReturnType<typeof appRouter.createCaller>;
const faq = readFileSync(new URL("../fixtures/knowledge/shop-faq.md", import.meta.url)).toString("base64");
const QUESTION = "parcel ETA please";

beforeAll(async () => {
  process.env.PARLEY_SECRET_KEY ??= randomBytes(32).toString("base64url");
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  await seed(db(), { internalUrl: "http://127.0.0.1:1" });
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  const viewer: Viewer = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: "admin" };
  admin = appRouter.createCaller({ viewer });
  openai = await startFakeOpenAi({ apiKey: KEY, embed });
});
afterAll(async () => {
  await openai.close();
  await db().$disconnect();
  await database.drop();
});

test("without an embedding model a question sharing no word with the FAQ finds nothing", async () => {
  await admin.knowledge.addDocument({ collection: "faq", fileName: "shop-faq.md", content: faq });
  expect(await admin.knowledge.search({ collection: "faq", query: QUESTION, limit: 3 })).toEqual([]);
  expect(openai.embeddingRequests).toEqual([]);
});

test("with one, the passages are embedded at upload and the question finds the shipping passages", async () => {
  const { id } = await admin.models.saveProvider({ name: "Fake OpenAI", baseUrl: openai.url, models: ["gpt-4o-mini"], apiKey: KEY, embeddingModel: "text-embedding-3-small" });
  const uploaded = await admin.knowledge.addDocument({ collection: "faq", fileName: "shop-faq.md", content: faq });
  expect(uploaded).toMatchObject({ embedded: "text-embedding-3-small" });
  expect(openai.embeddingRequests[0]).toMatchObject({ model: "text-embedding-3-small", input: expect.arrayContaining([expect.stringContaining("How long does delivery take?")]) });
  const passages = await admin.knowledge.search({ collection: "faq", query: QUESTION, limit: 3 });
  expect(passages[0]).toMatchObject({ document: "shop-faq.md", heading: expect.stringContaining("› Shipping ›") });
  expect(passages.map((passage) => passage.heading)).toContainEqual(expect.stringContaining("How long does delivery take?"));
  expect(openai.embeddingRequests.at(-1)).toEqual({ model: "text-embedding-3-small", input: [QUESTION] });

  // A provider that fails at question time leaves keyword search working.
  await admin.models.saveProvider({ id, name: "Fake OpenAI", baseUrl: openai.url, models: ["gpt-4o-mini"], apiKey: "sk-wrong-key-000000000", embeddingModel: "text-embedding-3-small" });
  expect(await admin.knowledge.search({ collection: "faq", query: QUESTION, limit: 3 })).toEqual([]);
  expect((await admin.knowledge.search({ collection: "faq", query: "How long does delivery take?", limit: 1 }))[0]?.heading).toContain("delivery");
});

test("the server's pgvector is detected: without it the app compares the stored arrays, and says why", async () => {
  const listed = await db().$queryRaw<unknown[]>`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`;
  const support = await vectorSupport();
  if (listed.length === 0) {
    expect(support).toEqual({ kind: "arrays", reason: "this PostgreSQL server has no pgvector (pg_available_extensions lists no “vector”)" });
    // Settings → Knowledge tells admins.
    expect((await admin.knowledge.list()).semanticSearch).toBe("semantic search in the app over stored arrays: this PostgreSQL server has no pgvector (pg_available_extensions lists no “vector”)");
    expect(await db().$queryRaw<unknown[]>`SELECT 1 FROM information_schema.columns WHERE table_name = 'KnowledgeChunk' AND column_name = 'embeddingVector'`).toEqual([]);
  } else {
    expect(support).toMatchObject({ kind: "pgvector" });
    expect((await admin.knowledge.list()).semanticSearch).toMatch(/^semantic search in PostgreSQL with pgvector /);
    expect(await db().$queryRaw<unknown[]>`SELECT 1 FROM information_schema.columns WHERE table_name = 'KnowledgeChunk' AND column_name = 'embeddingVector'`).toHaveLength(1);
  }
});
