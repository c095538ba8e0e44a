// Uploaded files → text: the formats Settings → Knowledge accepts, each read with a
// maintained library (html-to-text, unpdf, csv-parse), with size limits that say what to do.
import { parse as parseCsv } from "csv-parse/sync";
import { convert as htmlToText, type FormatCallback } from "html-to-text";
import { chunkText, type Chunk } from "./chunk";

export const DOCUMENT_FORMATS = ["txt", "md", "html", "pdf", "csv"] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Text extracted from one document: a bigger one is better split into several. */
export const MAX_TEXT_CHARS = 2_000_000;
export const MAX_TABLE_ROWS = 20_000;
export const MAX_TABLE_COLUMNS = 50;
export const MAX_CELL_CHARS = 2_000;

/** The file cannot become knowledge; the message says why and what to do. */
export class KnowledgeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KnowledgeInputError";
  }
}

const EXTENSIONS: Record<string, DocumentFormat> = { txt: "txt", text: "txt", md: "md", markdown: "md", html: "html", htm: "html", pdf: "pdf", csv: "csv" };

/** The format a file name says, or a KnowledgeInputError naming the formats accepted. */
export function formatOf(fileName: string): DocumentFormat {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  const format = extension ? EXTENSIONS[extension] : undefined;
  if (!format) throw new KnowledgeInputError(`“${fileName}” is not a file Parley can read: upload .txt, .md, .html, .pdf or .csv.`);
  return format;
}

export function checkSize(fileName: string, bytes: Uint8Array): void {
  if (bytes.byteLength === 0) throw new KnowledgeInputError(`“${fileName}” is empty.`);
  if (bytes.byteLength > MAX_FILE_BYTES) {
    throw new KnowledgeInputError(`“${fileName}” is ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB; files up to ${MAX_FILE_BYTES / 1024 / 1024} MB are accepted: split it.`);
  }
}

/** A document's passages, ready to store and search. */
export async function extractPassages(fileName: string, bytes: Uint8Array): Promise<{ format: DocumentFormat; chunks: Chunk[] }> {
  checkSize(fileName, bytes);
  const format = formatOf(fileName);
  const chunks = await passagesOf(format, fileName, bytes);
  const total = chunks.reduce((sum, chunk) => sum + chunk.text.length, 0);
  if (total === 0) {
    throw new KnowledgeInputError(
      format === "pdf" ? `“${fileName}” has no text Parley can read (a scanned PDF?): upload a PDF with selectable text, or the text itself.` : `“${fileName}” has no text.`,
    );
  }
  if (total > MAX_TEXT_CHARS) throw new KnowledgeInputError(`“${fileName}” holds over ${MAX_TEXT_CHARS.toLocaleString("en")} characters of text: split it into several documents.`);
  return { format, chunks };
}

async function passagesOf(format: DocumentFormat, fileName: string, bytes: Uint8Array): Promise<Chunk[]> {
  switch (format) {
    case "txt":
    case "md":
      return chunkText(decodeText(bytes));
    case "html":
      return chunkText(htmlAsMarkdown(decodeText(bytes)));
    case "pdf":
      return (await pdfPages(fileName, bytes)).flatMap((page, index) => chunkText(page, `Page ${index + 1}`));
    case "csv": {
      // Each row is one passage that names its columns, so "price" in a question finds it.
      const { rows } = parseCsvTable(fileName, bytes);
      return rows.map((row) => ({ heading: null, text: Object.entries(row).filter(([, value]) => value !== "").map(([column, value]) => `${column}: ${value}`).join("; ") }));
    }
  }
}

/** UTF-8, or Windows-1252 for files saved by older spreadsheet and text editors. */
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/** Headings become markdown headings, so passages keep the section they come from. */
const markdownHeading: FormatCallback = (element, walk, builder) => {
  const level = Number(/^h([1-6])$/.exec(element.name ?? "")?.[1] ?? 1);
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addInline(`${"#".repeat(level)} `);
  walk(element.children, builder);
  builder.closeBlock({ trailingLineBreaks: 2 });
};

function htmlAsMarkdown(html: string): string {
  return htmlToText(html, {
    wordwrap: false,
    formatters: { markdownHeading },
    selectors: [
      ...["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, format: "markdownHeading" })),
      { selector: "a", options: { ignoreHref: true } },
      { selector: "img", format: "skip" },
      { selector: "nav", format: "skip" },
      { selector: "script", format: "skip" },
      { selector: "style", format: "skip" },
    ],
  });
}

async function pdfPages(fileName: string, bytes: Uint8Array): Promise<string[]> {
  // unpdf bundles a serverless build of PDF.js: nothing is downloaded at install or run time.
  const { extractText, getDocumentProxy } = await import("unpdf");
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    const { text } = await extractText(pdf, { mergePages: false });
    return text;
  } catch (error) {
    throw new KnowledgeInputError(`“${fileName}” could not be read as a PDF (${(error as Error).message}). Is it password-protected or damaged?`);
  }
}

/**
 * A CSV file as its header and rows ({ column: text }). The separator is the one the header
 * line uses most: a comma, a semicolon (spreadsheets in many European locales) or a tab.
 */
export function parseCsvTable(fileName: string, bytes: Uint8Array): { columns: string[]; rows: Record<string, string>[] } {
  checkSize(fileName, bytes);
  const text = decodeText(bytes);
  const headerLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [",", ";", "\t"].reduce((best, candidate) => (headerLine.split(candidate).length > headerLine.split(best).length ? candidate : best));
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, delimiter, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    throw new KnowledgeInputError(`“${fileName}” is not a valid CSV file: ${(error as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header || header.every((name) => name === "")) throw new KnowledgeInputError(`“${fileName}” has no header row: the first line must name the columns.`);
  if (header.length > MAX_TABLE_COLUMNS) throw new KnowledgeInputError(`“${fileName}” has ${header.length} columns; at most ${MAX_TABLE_COLUMNS} are accepted.`);
  const columns = header.map((name, index) => name || `column ${index + 1}`);
  const duplicate = columns.find((name, index) => columns.findIndex((other) => other.toLowerCase() === name.toLowerCase()) !== index);
  if (duplicate) throw new KnowledgeInputError(`“${fileName}” names the column “${duplicate}” twice: give each column its own name.`);
  if (body.length === 0) throw new KnowledgeInputError(`“${fileName}” has a header but no rows.`);
  if (body.length > MAX_TABLE_ROWS) throw new KnowledgeInputError(`“${fileName}” has ${body.length.toLocaleString("en")} rows; at most ${MAX_TABLE_ROWS.toLocaleString("en")} are accepted.`);
  const rows = body.map((record, index) => {
    if (record.length > columns.length) {
      throw new KnowledgeInputError(`Row ${index + 2} of “${fileName}” has ${record.length} values for ${columns.length} columns: quote values that contain the separator.`);
    }
    const row: Record<string, string> = {};
    columns.forEach((column, position) => {
      const value = record[position] ?? "";
      if (value.length > MAX_CELL_CHARS) throw new KnowledgeInputError(`Row ${index + 2}, column “${column}” of “${fileName}” is over ${MAX_CELL_CHARS} characters.`);
      row[column] = value;
    });
    return row;
  });
  return { columns, rows };
}
