// The knowledge base end to end: documents and a table uploaded through the studio's API
// (Settings → Knowledge), searched by a published flow's lookup node through the real
// executor; the answer is kept for the conversation, and a removed document is no longer found.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { readLookupCache, writeLookupCache } from "@/server/knowledge/cache";
import { appRouter } from "@/server/trpc/root";
import { eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley();
let editor: ReturnType<typeof appRouter.createCaller>;
let viewer: ReturnType<typeof appRouter.createCaller>;
let admin: ReturnType<typeof appRouter.createCaller>;

const fixture = (name: string) => readFileSync(new URL(`../fixtures/knowledge/${name}`, import.meta.url)).toString("base64");
const at = { x: 0, y: 0 };

/** trigger on `keyword` → lookup → the best passage or row, or an apology. */
function lookupFlow(keyword: string, lookup: Record<string, unknown>, answer: string): FlowGraph {
  return {
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: [keyword] }, position: at },
      { id: "lookup", type: "lookup", version: 1, config: lookup, position: at },
      { id: "answer", type: "reply", version: 1, config: { text: answer }, position: at },
      { id: "none", type: "reply", version: 1, config: { text: "I could not find that." }, position: at },
      { id: "sorry", type: "reply", version: 1, config: { text: "Sorry: {{nodes.lookup.error}}" }, position: at },
    ],
    edges: [
      { id: "1", from: "start", port: "next", to: "lookup" },
      { id: "2", from: "lookup", port: "next", to: "answer" },
      { id: "3", from: "lookup", port: "not_found", to: "none" },
      { id: "4", from: "lookup", port: "error", to: "sorry" },
    ],
  };
}

async function lookupTraces(waId: string) {
  const runs = await db().flowRun.findMany({ where: { conversation: { contact: { waId } } }, orderBy: { startedAt: "asc" }, include: { traces: { where: { nodeId: "lookup" } } } });
  return runs.flatMap((run) => run.traces.map((trace) => trace.output as Record<string, unknown>));
}

beforeAll(async () => {
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  const as = (role: Viewer["role"]) => appRouter.createCaller({ viewer: { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role } });
  editor = as("editor");
  viewer = as("viewer");
  admin = as("admin");
  for (const fileName of ["shop-faq.md", "returns-policy.html", "warranty.pdf"]) {
    await editor.knowledge.addDocument({ collection: "help", fileName, content: fixture(fileName) });
  }
  await editor.knowledge.addTable({ name: "Products", fileName: "products.csv", content: fixture("products.csv") });
  await parley.publish("Questions", lookupFlow("question", { source: "knowledge", collection: "help", maxResults: 2 }, "{{nodes.lookup.passages[0].text}}"));
  await parley.publish(
    "Catalog",
    lookupFlow("price", { source: "table", table: "products", query: "{{message.text}}", filters: [{ column: "stock", operator: "at least", value: "1" }], maxResults: 1 }, "{{nodes.lookup.row.name}}: {{nodes.lookup.row.price}} €"),
  );
});

describe("Settings → Knowledge", () => {
  test("lists what was uploaded with its passages and rows; a viewer can try a question", async () => {
    const { documents, tables } = await viewer.knowledge.list();
    expect(documents.map((d) => [d.collection, d.name, d.format, d.passages > 0])).toEqual([
      ["help", "returns-policy.html", "html", true],
      ["help", "shop-faq.md", "md", true],
      ["help", "warranty.pdf", "pdf", true],
    ]);
    expect(tables).toEqual([expect.objectContaining({ name: "products", rows: 12, columns: ["sku", "name", "category", "price", "stock", "description"] })]);
    const passages = await viewer.knowledge.search({ collection: "help", query: "is the espresso machine warranty three years?" });
    expect(passages[0]).toMatchObject({ document: "warranty.pdf", heading: "Page 1", score: expect.any(Number) });
  });

  test("a big catalog (14,000 rows) is stored whole, as a document and as a table", async () => {
    const csv = ["sku,name,price", ...Array.from({ length: 14_000 }, (_, i) => `SKU-${i},Spare part number ${i},${(i % 90) + 10}.00`)].join("\n");
    const content = Buffer.from(csv).toString("base64");
    expect(await editor.knowledge.addDocument({ collection: "parts", fileName: "parts.csv", content })).toMatchObject({ passages: 14_000 });
    expect(await editor.knowledge.addTable({ name: "parts", fileName: "parts.csv", content })).toMatchObject({ rows: 14_000 });
    expect((await viewer.knowledge.searchTable({ table: "parts", query: "SKU-13999" })).rows[0]).toMatchObject({ name: "Spare part number 13999" });
    const { documents, tables } = await viewer.knowledge.list();
    await editor.knowledge.remove({ kind: "document", id: documents.find((d) => d.collection === "parts")!.id });
    await editor.knowledge.remove({ kind: "table", id: tables.find((t) => t.name === "parts")!.id });
  });

  test("a file Parley cannot read is refused with the reason, and nothing is stored", async () => {
    await expect(editor.knowledge.addDocument({ collection: "help", fileName: "prices.xlsx", content: "UEsDBA==" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/upload \.txt, \.md, \.html, \.pdf or \.csv/),
    });
    await expect(editor.knowledge.addTable({ name: "bad", fileName: "bad.csv", content: Buffer.from("sku,name\nA1,Kettle,red\n").toString("base64") })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/Row 2 of “bad.csv” has 3 values for 2 columns/),
    });
    await expect(editor.knowledge.addDocument({ collection: "Help Center!", fileName: "a.md", content: "aGk=" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await viewer.knowledge.list()).documents).toHaveLength(3);
    expect((await viewer.knowledge.list()).tables).toHaveLength(1);
  });
});

describe("a published flow's lookup", () => {
  test("answers a question from the documents, and the same question later in the conversation from the cache", async () => {
    const waId = "34633000001";
    await parley.postWebhook(textWebhook(waId, "Question: how long does delivery to the Canary Islands take?").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the answer");
    expect(parley.textsTo(waId)[0]).toMatch(/the Canary Islands, Ceuta and Melilla 5–7 working days/);
    await eventually(async () => (await db().flowRun.count({ where: { conversation: { contact: { waId } }, status: "completed" } })) === 1, 10_000, "the first run to end");

    await parley.postWebhook(textWebhook(waId, "question: How long does delivery to the Canary Islands take?").body);
    await eventually(() => parley.textsTo(waId).length === 2, 15_000, "the second answer");
    expect(parley.textsTo(waId)[1]).toBe(parley.textsTo(waId)[0]);
    const traces = await eventually(async () => {
      const outputs = await lookupTraces(waId);
      return outputs.length === 2 ? outputs : undefined;
    }, 10_000, "both lookups traced");
    expect(traces.map((output) => output.cached)).toEqual([false, true]);
    expect(await db().lookupCache.count({ where: { conversation: { contact: { waId } } } })).toBe(1);

    // What was looked up for the contact goes when they are anonymised.
    await eventually(async () => (await db().flowRun.count({ where: { conversation: { contact: { waId } }, status: "completed" } })) === 2, 10_000, "the second run to end");
    const contact = await db().contact.findFirstOrThrow({ where: { waId } });
    await admin.privacy.eraseContact({ contactId: contact.id, mode: "anonymise" });
    expect(await db().lookupCache.count({ where: { conversation: { contactId: contact.id } } })).toBe(0);
  });

  test("finds a product in the table by its name, leaving out what is out of stock", async () => {
    const waId = "34633000002";
    await parley.postWebhook(textWebhook(waId, "What is the price of the gooseneck kettle?").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the price");
    expect(parley.textsTo(waId)).toEqual(["Aurora gooseneck kettle 1 L: 54.00 €"]);
  });

  test("a removed document is no longer found", async () => {
    const { documents } = await viewer.knowledge.list();
    for (const document of documents) await editor.knowledge.remove({ kind: "document", id: document.id });
    await expect(editor.knowledge.remove({ kind: "document", id: documents[0]!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const waId = "34633000003";
    await parley.postWebhook(textWebhook(waId, "question: do you take Bizum?").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the apology");
    expect(parley.textsTo(waId)).toEqual(["Sorry: No documents in the collection “help”: upload some in Settings → Knowledge."]);
  });
});

test("the lookup cache gives a value back until it expires, per conversation and node", async () => {
  const [one, two] = await db().conversation.findMany({ take: 2, orderBy: { createdAt: "asc" } });
  const at = { conversationId: one!.id, nodeId: "lookup", key: '{"source":"knowledge","query":"refunds"}' };
  await writeLookupCache({ ...at, value: { ok: true, passages: [] }, ttlMs: 60_000 });
  expect(await readLookupCache(at)).toEqual({ value: { ok: true, passages: [] } });
  expect(await readLookupCache({ ...at, conversationId: two!.id })).toBeNull();
  expect(await readLookupCache({ ...at, nodeId: "other" })).toBeNull();
  // Written again already expired: read as a miss, and cleared by the next write of the conversation.
  await writeLookupCache({ ...at, value: { ok: true, passages: [] }, ttlMs: -1 });
  expect(await readLookupCache(at)).toBeNull();
  await writeLookupCache({ ...at, key: "another", value: 1, ttlMs: 60_000 });
  expect(await db().lookupCache.findMany({ where: { conversationId: one!.id }, select: { value: true } })).toEqual([{ value: 1 }]);
});
