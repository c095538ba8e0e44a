// "Google Sheets append": adds one row to a spreadsheet through the Sheets API
// (POST /v4/spreadsheets/<id>/values/<range>:append, Authorization: Bearer <token>), e.g.
// a lead with the contact's name, number and answers.
import { z } from "zod";
import { defineNode } from "@/flows/define-node";
import { callJsonApi } from "../api";

const config = z.object({
  spreadsheetId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{20,100}$/, "the id from the sheet's address: docs.google.com/spreadsheets/d/<this part>/edit")
    .describe("From the sheet's address: docs.google.com/spreadsheets/d/<spreadsheet id>/edit."),
  range: z.string().trim().min(1, "name the sheet, e.g. Sheet1").max(200).default("Sheet1").describe("The sheet (tab) to add the row to, e.g. Leads, or a range such as Leads!A:D."),
  cells: z
    .array(z.string().max(50_000, "a cell holds at most 50,000 characters (Google's limit)"))
    .min(1, "add at least one cell")
    .max(100)
    .describe("The row's cells in order, e.g. {{contact.name}}, {{contact.waId}}, {{vars.email}}."),
  interpretValues: z
    .boolean()
    .default(false)
    .describe("Let Sheets read cells as a person typing them (numbers, dates, formulas). Off: stored as plain text, so a contact's “=…” stays text."),
  apiBase: z.url({ protocol: /^https?$/ }).default("https://sheets.googleapis.com").describe("Change only to use a Sheets-compatible API."),
});
type SheetsAppendConfig = z.infer<typeof config>;

const outputs = z.object({
  /** Where the row went, e.g. "Leads!A7:C7". */
  updatedRange: z.string().nullable(),
  updatedRows: z.number(),
  httpStatus: z.number().nullable(),
  error: z.string().nullable(),
});

const appendAnswer = z.object({ updates: z.object({ updatedRange: z.string(), updatedRows: z.number() }) });
const googleError = z.object({ error: z.object({ message: z.string(), status: z.string().optional() }) });

export default defineNode<SheetsAppendConfig>({
  type: "sheets_append",
  version: 1,
  title: "Google Sheets append",
  description: "Adds a row to a Google Sheets spreadsheet, e.g. a lead with the contact's name, number and answers.",
  category: "data",
  icon: "📊",
  config,
  outputs,
  secrets: [
    {
      name: "accessToken",
      label: "Google Sheets access token",
      description: "An OAuth 2.0 access token with the spreadsheets scope, for an account the spreadsheet is shared with.",
    },
  ],
  defaultConfig: { spreadsheetId: "", range: "Sheet1", cells: ["{{contact.name}}", "{{contact.waId}}"], interpretValues: false, apiBase: "https://sheets.googleapis.com" },
  ports: () => [
    { id: "next", label: "added" },
    { id: "error", label: "error", failure: true },
  ],
  summary: (c) => `Add ${c.cells.length} cell${c.cells.length === 1 ? "" : "s"} to ${c.range}`,
  templateFields: ["cells"],
  async run(ctx) {
    const { config: c } = ctx;
    const row = c.cells.map((cell) => ctx.render(cell));
    const token = await ctx.secret("accessToken");
    const query = new URLSearchParams({ valueInputOption: c.interpretValues ? "USER_ENTERED" : "RAW", insertDataOption: "INSERT_ROWS" });
    const url = `${c.apiBase.replace(/\/+$/, "")}/v4/spreadsheets/${c.spreadsheetId}/values/${encodeURIComponent(c.range)}:append?${query}`;
    // A step: a replayed run does not add the row twice.
    const result = await ctx.step("append", () =>
      callJsonApi(ctx.fetch, {
        method: "POST",
        url,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ range: c.range, majorDimension: "ROWS", values: [row] }),
      }),
    );
    const appended = appendAnswer.safeParse(result.json);
    if (result.status === 200 && appended.success) {
      return { port: "next", output: { updatedRange: appended.data.updates.updatedRange, updatedRows: appended.data.updates.updatedRows, httpStatus: 200, error: null } };
    }
    return { port: "error", output: { updatedRange: null, updatedRows: 0, httpStatus: result.status, error: failureReason(result.status, result.failure, result.json) } };
  },
});

function failureReason(status: number | null, failure: string | null, json: unknown): string {
  if (status === null) return `Google Sheets did not answer: ${failure}`;
  const google = googleError.safeParse(json);
  const detail = google.success ? `: ${google.data.error.message.replace(/\.$/, "")}` : "";
  if (status === 401) return `Google refused the access token (401)${detail}. Store a fresh one in Settings → Node secrets.`;
  if (status === 403) return `The token's account cannot edit this spreadsheet (403)${detail}. Share the sheet with it as an editor.`;
  if (status === 404) return `No spreadsheet with that id (404)${detail}.`;
  if (status === 200) return "The answer is not a Sheets append result.";
  return `Google Sheets answered with status ${status}${detail}.`;
}
