// The knowledge base on a small shop's real documents (tests/fixtures/knowledge): each
// format becomes passages under their headings, BM25 puts the passage that answers a
// customer's question first, and a product table is found by SKU, name and price range.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { CHUNK_MAX_CHARS, chunkText } from "./chunk";
import { extractPassages, KnowledgeInputError, MAX_FILE_BYTES, parseCsvTable } from "./parse";
import { parseNumber, PassageIndex, TableIndex, type StoredPassage } from "./search";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../tests/fixtures/knowledge/${name}`, import.meta.url)));
const FILES = ["shop-faq.md", "returns-policy.html", "warranty.pdf"];

describe("reading documents", () => {
  test("markdown: one passage per question, under the path of its headings", async () => {
    const { format, chunks } = await extractPassages("shop-faq.md", fixture("shop-faq.md"));
    expect(format).toBe("md");
    expect(chunks).toContainEqual({
      heading: "Brew & Co. — Frequently asked questions › Shipping › Do you ship abroad?",
      text: "Yes, we ship to Portugal, France, Italy and Germany. International delivery takes 3–6 working days and costs 12 €, free over 120 €.",
    });
    expect(chunks.filter((chunk) => chunk.heading?.includes("› Payment ›"))).toHaveLength(2);
  });

  test("html: headings kept, list items apart, navigation, scripts and styles left out", async () => {
    const { chunks } = await extractPassages("returns-policy.html", fixture("returns-policy.html"));
    const howTo = chunks.find((chunk) => chunk.heading === "Returns and refunds › How to return a product")!;
    expect(howTo.text).toMatch(/^1\. Write to us on WhatsApp.*\n2\. We send you a prepaid return label/);
    const all = chunks.map((chunk) => `${chunk.heading} ${chunk.text}`).join("\n");
    expect(all).not.toMatch(/analytics|font-family|Home · Shop/);
    expect(chunks.map((chunk) => chunk.heading)).toEqual([
      "Returns and refunds",
      "Returns and refunds › Return period",
      "Returns and refunds › How to return a product",
      "Returns and refunds › Refunds",
      "Returns and refunds › Damaged or faulty products",
      "Returns and refunds › Exchanges",
    ]);
  });

  test("pdf: the text of each page, headed by its page number", async () => {
    const { format, chunks } = await extractPassages("warranty.pdf", fixture("warranty.pdf"));
    expect(format).toBe("pdf");
    expect(chunks.map((chunk) => chunk.heading)).toEqual(["Page 1", "Page 2"]);
    expect(chunks[0]!.text).toContain("The Barista espresso machine and the Precision burr grinder have a three-year warranty.");
    expect(chunks[1]!.text).toContain("Limescale damage");
  });

  test("csv as a document: one passage per row naming its columns", async () => {
    const { chunks } = await extractPassages("products.csv", fixture("products.csv"));
    expect(chunks).toHaveLength(12);
    expect(chunks[3]!.text).toBe("sku: BC-CM-010; name: Milano moka pot 6 cups; category: coffee makers; price: 27.90; stock: 40; description: Aluminium moka pot for six cups of strong Italian coffee");
  });

  test("long text is cut between sentences, never over the maximum", () => {
    const sentence = "The descaling programme runs for twenty minutes and rinses the boiler twice. ";
    const chunks = chunkText(`# Care\n\n${sentence.repeat(60)}\n\nShort closing note.`);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.heading).toBe("Care");
      expect(chunk.text.length).toBeLessThanOrEqual(CHUNK_MAX_CHARS);
      expect(chunk.text).toMatch(/\.$/);
    }
    expect(chunks.map((chunk) => chunk.text).join(" ")).toContain("Short closing note.");
  });

  test("files that cannot become knowledge are refused with what to do", async () => {
    const refusal = (name: string, bytes: Uint8Array) => extractPassages(name, bytes).then(() => "accepted", (error: Error) => (error instanceof KnowledgeInputError ? error.message : `crash: ${error.message}`));
    expect(await refusal("catalog.xlsx", new Uint8Array([1, 2, 3]))).toMatch(/upload \.txt, \.md, \.html, \.pdf or \.csv/);
    expect(await refusal("empty.md", new Uint8Array())).toMatch(/is empty/);
    expect(await refusal("huge.txt", new Uint8Array(MAX_FILE_BYTES + 1).fill(65))).toMatch(/10\.0 MB; files up to 10 MB are accepted: split it/);
    expect(await refusal("broken.pdf", new TextEncoder().encode("%PDF-1.7 this is not really a pdf"))).toMatch(/could not be read as a PDF/);
    expect(await refusal("blank.html", new TextEncoder().encode("<html><body><img src=x></body></html>"))).toMatch(/has no text/);
  });
});

describe("BM25 search", () => {
  let index: PassageIndex;
  beforeAll(async () => {
    const passages: StoredPassage[] = [];
    for (const name of FILES) passages.push(...(await extractPassages(name, fixture(name))).chunks.map((chunk) => ({ document: name, ...chunk })));
    index = new PassageIndex(passages);
  });

  test.each([
    ["How long does delivery to the Canary Islands take?", "shop-faq.md", /Canary Islands, Ceuta and Melilla 5–7 working days/],
    ["can I return coffee beans I opened?", "returns-policy.html", /Coffee beans can be returned only if the bag is unopened/],
    ["my kettle stopped heating, is that covered?", "warranty.pdf", /a kettle that stops heating/],
    ["do you take Bizum", "shop-faq.md", /PayPal and Bizum/],
    ["what time do you open on Saturday", "shop-faq.md", /Saturday from 10:00 to 14:00/],
    ["how long until the refund reaches my card?", "returns-policy.html", /Refunds by card take 5–10 days/],
    ["the parcel arrived damaged", "returns-policy.html", /send us a photo within 48 hours/],
  ])("“%s” → %s first", (question, document, answer) => {
    const [best, ...rest] = index.search(question, 3);
    expect(best).toMatchObject({ document, text: expect.stringMatching(answer) });
    // Scores come best first.
    for (const passage of rest) expect(passage.score).toBeLessThanOrEqual(best!.score);
  });

  test("the limit caps the passages; a question with no word in the documents finds nothing", () => {
    expect(index.search("shipping delivery returns warranty", 2)).toHaveLength(2);
    expect(index.search("zebra xylophone", 5)).toEqual([]);
    expect(index.search("the and of", 5)).toEqual([]);
  });
});

describe("table search", () => {
  const { columns, rows } = parseCsvTable("products.csv", fixture("products.csv"));
  const table = new TableIndex("products", columns, rows);
  const names = (outcome: ReturnType<TableIndex["search"]>) => (outcome.ok ? outcome.rows.map((row) => row.name) : outcome.error);

  test("by SKU, whatever its case", () => {
    expect(names(table.search([{ column: "SKU", operator: "is", value: "bc-gr-021" }], "", 5))).toEqual(["Hand grinder"]);
    expect(names(table.search([{ column: "sku", operator: "is", value: "BC-XX-999" }], "", 5))).toEqual([]);
  });

  test("by name words, ranked, with a typo", () => {
    expect(names(table.search([], "gooseneck kettle", 2))).toEqual(["Aurora gooseneck kettle 1 L", expect.stringMatching(/kettle/)]);
    expect(names(table.search([], "espreso machine", 1))).toEqual(["Barista espresso machine"]);
  });

  test("by price range within a category, in the file's order", () => {
    const outcome = table.search(
      [
        { column: "category", operator: "is", value: "coffee makers" },
        { column: "price", operator: "at least", value: "30" },
        { column: "price", operator: "at most", value: "€ 50,00" },
      ],
      "",
      10,
    );
    expect(names(outcome)).toEqual(["Nordic pour-over set", "French press 1 L"]);
    expect(outcome).toMatchObject({ total: 2, columns });
  });

  test("filters and words together; the total counts every match beyond the limit; empty filter values are left out", () => {
    const outcome = table.search([{ column: "price", operator: "at most", value: "40" }, { column: "stock", operator: "at least", value: "" }], "beans", 1);
    expect(outcome).toMatchObject({ ok: true, total: 3 });
    expect(names(outcome)).toHaveLength(1);
  });

  test("an unknown column or a bound that is not a number is an error that says why", () => {
    expect(names(table.search([{ column: "colour", operator: "is", value: "red" }], "", 5))).toBe(
      "The table “products” has no column “colour”: its columns are sku, name, category, price, stock, description.",
    );
    expect(names(table.search([{ column: "price", operator: "at most", value: "cheap" }], "", 5))).toBe("“price at most” needs a number, not “cheap”.");
  });

  test("prices as people write them", () => {
    expect(["19.99", "€ 19,99", "1,299.00", "1.299,00", "$25", "1,299", "-3", "n/a"].map(parseNumber)).toEqual([19.99, 19.99, 1299, 1299, 25, 1299, -3, null]);
  });

  test("CSV files: semicolons, quoted separators, and clear refusals", () => {
    const csv = (text: string) => new TextEncoder().encode(text);
    expect(parseCsvTable("a.csv", csv('sku;name;price\nA1;"Kettle; red";19,90\n')).rows).toEqual([{ sku: "A1", name: "Kettle; red", price: "19,90" }]);
    const refusal = (text: string) => {
      try {
        parseCsvTable("t.csv", csv(text));
        return "accepted";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(refusal("sku,name\n")).toMatch(/has a header but no rows/);
    expect(refusal("sku,SKU\n1,2\n")).toMatch(/names the column “SKU” twice/);
    expect(refusal("sku,name\nA1,Kettle,red\n")).toMatch(/Row 2 of “t.csv” has 3 values for 2 columns/);
  });
});
