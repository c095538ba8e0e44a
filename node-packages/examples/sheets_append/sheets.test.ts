// "Google Sheets append" against a fake Sheets API speaking its wire format
// (POST /v4/spreadsheets/<id>/values/<range>:append with a bearer token, {"updates": …} or
// {"error": {code, message, status}}), through the node harness.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { testNode } from "@/flows/testing";
import { json, startFakeApi, type FakeApi } from "../fake-api";
import sheetsAppend from "./index";

const TOKEN = "ya29.a0AfH6SMBtest-token";
const SPREADSHEET = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms";

let sheets: FakeApi;
/** Rows per sheet of the one spreadsheet, header row included. */
const rows = new Map<string, unknown[][]>();

beforeAll(async () => {
  sheets = await startFakeApi((request, response) => {
    const route = /^\/v4\/spreadsheets\/([^/]+)\/values\/([^/]+):append$/.exec(request.url.pathname);
    if (request.method !== "POST" || !route) return json(response, 404, { error: { code: 404, message: "Not Found", status: "NOT_FOUND" } });
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      return json(response, 401, {
        error: { code: 401, message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", status: "UNAUTHENTICATED" },
      });
    }
    if (route[1] !== SPREADSHEET) return json(response, 404, { error: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" } });
    const range = decodeURIComponent(route[2]!);
    const sheetName = range.split("!")[0]!;
    const sheet = rows.get(sheetName);
    if (!sheet) return json(response, 400, { error: { code: 400, message: `Unable to parse range: ${range}`, status: "INVALID_ARGUMENT" } });
    const { values } = JSON.parse(request.body) as { values: unknown[][] };
    sheet.push(...values);
    const width = String.fromCharCode(64 + values[0]!.length);
    json(response, 200, {
      spreadsheetId: SPREADSHEET,
      tableRange: `${sheetName}!A1:${width}${sheet.length - values.length}`,
      updates: { spreadsheetId: SPREADSHEET, updatedRange: `${sheetName}!A${sheet.length}:${width}${sheet.length}`, updatedRows: values.length, updatedColumns: values[0]!.length, updatedCells: values[0]!.length },
    });
  });
});
afterAll(() => sheets.close());
beforeEach(() => {
  sheets.received.length = 0;
  rows.clear();
  rows.set("Leads", [["Name", "WhatsApp", "Said"]]);
});

const append = (config: Record<string, unknown> = {}, token = TOKEN) =>
  testNode(sheetsAppend, {
    config: { spreadsheetId: SPREADSHEET, range: "Leads", cells: ["{{contact.name}}", "{{contact.waId}}", "{{message.text}}"], apiBase: sheets.url, ...config },
    contact: { name: "Ana", waId: "34600000001" },
    message: "I'd like a quote",
    secrets: { accessToken: token },
  });

describe("Google Sheets append", () => {
  test("adds the rendered row below the last one and says where it went", async () => {
    const first = await append();
    expect(first).toMatchObject({ port: "next", output: { updatedRange: "Leads!A2:C2", updatedRows: 1, httpStatus: 200, error: null } });
    const second = await append({ cells: ["{{contact.name}}", "{{contact.waId}}", "call me back"] });
    expect(second.output).toMatchObject({ updatedRange: "Leads!A3:C3" });
    expect(rows.get("Leads")).toEqual([
      ["Name", "WhatsApp", "Said"],
      ["Ana", "34600000001", "I'd like a quote"],
      ["Ana", "34600000001", "call me back"],
    ]);

    const [request] = sheets.received;
    expect(request!.method).toBe("POST");
    expect(request!.url.pathname).toBe(`/v4/spreadsheets/${SPREADSHEET}/values/Leads:append`);
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({ valueInputOption: "RAW", insertDataOption: "INSERT_ROWS" });
    expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(request!.body)).toEqual({ range: "Leads", majorDimension: "ROWS", values: [["Ana", "34600000001", "I'd like a quote"]] });
    expect(JSON.stringify(first.trace)).not.toContain(TOKEN);
  });

  test("cells are plain text unless the sheet may interpret them, so a contact's formula stays text", async () => {
    await append({ cells: ["=IMPORTXML(\"https://evil.example\")"] });
    expect(sheets.received[0]!.url.searchParams.get("valueInputOption")).toBe("RAW");
    await append({ interpretValues: true, cells: ["42"] });
    expect(sheets.received[1]!.url.searchParams.get("valueInputOption")).toBe("USER_ENTERED");
  });

  test("a range with a cell reference is sent encoded", async () => {
    const result = await append({ range: "Leads!A:C" });
    expect(sheets.received[0]!.url.pathname).toBe(`/v4/spreadsheets/${SPREADSHEET}/values/Leads!A%3AC:append`);
    expect(result.output).toMatchObject({ updatedRange: "Leads!A2:C2" });
  });

  test("Google's refusals go to the error port with its message and what to do", async () => {
    expect(await append({}, "ya29.expired")).toMatchObject({
      port: "error",
      output: { httpStatus: 401, updatedRows: 0, error: expect.stringMatching(/^Google refused the access token \(401\): Request had invalid authentication credentials.* Store a fresh one in Settings → Node secrets\.$/) },
    });
    expect((await append({ range: "Leeds" })).output).toMatchObject({ httpStatus: 400, error: "Google Sheets answered with status 400: Unable to parse range: Leeds." });
    expect((await append({ spreadsheetId: "1ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ" })).output!.error).toBe("No spreadsheet with that id (404): Requested entity was not found.");
  });

  test("no answer at all: the error port names the connection failure", async () => {
    const result = await append({ apiBase: "http://127.0.0.1:1" });
    expect(result).toMatchObject({ port: "error", output: { httpStatus: null, error: expect.stringMatching(/^Google Sheets did not answer: The connection failed/) } });
  });

  test("a spreadsheet id that is not one is refused before anything runs", async () => {
    await expect(append({ spreadsheetId: "my sheet" })).rejects.toThrow(/spreadsheetId: the id from the sheet's address/);
  });
});
