// The API request a node describes in its config (method, URL, headers, body, timeout,
// retries, response mapping), shared by the HTTP request node and the lookup node: the
// config fields with their design-time checks, and the request filled in at run time.
import { z } from "zod";
import type { HttpCall } from "./call";
import { redactUrl } from "./outbound";
import { RESPONSE_PATH_PATTERN } from "./response-path";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_TIMEOUT_MS = 30_000;
export const MAX_RETRIES = 3;

/** Headers Parley sets itself: letting a flow set them would desynchronise the request. */
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "expect"]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VARIABLE_NAME = /^[a-z_][a-z0-9_]{0,39}$/i;
const TEMPLATE_TAG = /{{[\s\S]*?}}|{%[\s\S]*?%}/g;

const header = z.object({
  name: z
    .string()
    .trim()
    .min(1, "name the header")
    .max(256)
    .regex(HEADER_NAME, "a header name has letters, digits and - only")
    .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()) && !name.toLowerCase().startsWith("proxy-"), {
      message: "Parley sets this header itself",
    }),
  /** A `{{template}}`. Never shown in the trace: header values carry API keys. */
  value: z.string().max(8192),
});

const mappingEntry = z.object({
  variable: z.string().regex(VARIABLE_NAME, "use letters, digits and '_' (not starting with a digit)"),
  path: z.string().trim().regex(RESPONSE_PATH_PATTERN, "a path like data.items[0].id"),
});

/** The request's config fields, but the URL (required by the HTTP node, optional in the lookup node). */
export const httpRequestFields = {
  method: z.enum(HTTP_METHODS).default("GET"),
  headers: z.array(header).max(30, "at most 30 headers").default([]),
  /** A `{{template}}`; sent as JSON unless a Content-Type header says otherwise. */
  body: z.string().max(64 * 1024, "at most 64 KB").default(""),
  timeoutMs: z.number().int().min(100, "at least 100 ms").max(MAX_TIMEOUT_MS, `at most ${MAX_TIMEOUT_MS / 1000} s`).default(DEFAULT_TIMEOUT_MS),
  /** Further attempts after a network error, a 5xx or a 429. */
  retries: z.number().int().min(0).max(MAX_RETRIES, `at most ${MAX_RETRIES} retries`).default(0),
  mapping: z.array(mappingEntry).max(30, "map at most 30 variables").default([]),
};

export const MAX_URL_LENGTH = 4096;

export interface HttpRequestConfig {
  method: (typeof HTTP_METHODS)[number];
  url: string;
  headers: { name: string; value: string }[];
  body: string;
  timeoutMs: number;
  retries: number;
  mapping: { variable: string; path: string }[];
}

/** The checks across fields of a request config (URL template, body, mapping), for a zod superRefine. */
export function checkHttpRequest(value: HttpRequestConfig, context: z.RefinementCtx): void {
  const problem = urlTemplateProblem(value.url);
  if (problem) context.addIssue({ code: "custom", path: ["url"], message: problem });
  if (value.body.trim() !== "" && value.method === "GET") {
    context.addIssue({ code: "custom", path: ["body"], message: "a GET request has no body: use POST, PUT or PATCH, or clear the body" });
  }
  // A body without variables can be checked now; one with variables is checked once filled in.
  if (value.body.trim() !== "" && !value.body.match(TEMPLATE_TAG) && sendsJson(value.headers) && !isJson(value.body)) {
    context.addIssue({ code: "custom", path: ["body"], message: "the body is not valid JSON (or set a Content-Type header for another format)" });
  }
  const seen = new Set<string>();
  value.mapping.forEach((entry, index) => {
    if (seen.has(entry.variable)) context.addIssue({ code: "custom", path: ["mapping", index, "variable"], message: `{{vars.${entry.variable}}} is mapped twice` });
    seen.add(entry.variable);
  });
}

/**
 * Why a URL template cannot become an http(s) URL, judged with every `{{…}}` filled in by a
 * placeholder; null when it can. A URL that starts with a variable is checked at run time.
 */
export function urlTemplateProblem(template: string): string | null {
  const source = template.trim();
  if (/^({{|{%)/.test(source)) return null;
  let url: URL;
  try {
    url = new URL(source.replace(TEMPLATE_TAG, "x"));
  } catch {
    return "not a valid URL: write it in full, like https://api.example.com/orders/{{vars.order_id}}";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `use an http:// or https:// URL, not ${url.protocol}`;
  return null;
}

/** The config as traces may show it: header values (API keys) hidden, secret query values redacted. */
export function traceableRequest<Config extends HttpRequestConfig>(config: Config): Config {
  return { ...config, url: redactUrl(config.url), headers: config.headers.map((h) => ({ name: h.name, value: "***" })) };
}

/**
 * The request with its `{{…}}` filled in, ready for callHttpApi; or why it cannot be sent
 * (a JSON body that stopped being JSON once its variables were filled in).
 */
export function buildHttpCall(config: HttpRequestConfig, render: (template: string) => string): { call: HttpCall } | { url: string; error: string } {
  const url = render(config.url).trim();
  const headers: Record<string, string> = {};
  for (const entry of config.headers) headers[entry.name.toLowerCase()] = render(entry.value);
  headers["user-agent"] ??= "Parley";
  headers.accept ??= "application/json, text/plain;q=0.9, */*;q=0.8";

  let body: string | undefined;
  if (config.method !== "GET" && config.body.trim() !== "") {
    body = render(config.body);
    headers["content-type"] ??= "application/json";
    if (sendsJson(config.headers) && !isJson(body)) {
      return { url, error: "The body is not valid JSON once its variables are filled in: quote text values with | json." };
    }
  }
  return { call: { method: config.method, url, headers, body, timeoutMs: config.timeoutMs, retries: config.retries, mapping: config.mapping } };
}

function contentType(headers: { name: string; value: string }[]): string | undefined {
  return headers.find((entry) => entry.name.toLowerCase() === "content-type")?.value;
}

function sendsJson(headers: { name: string; value: string }[]): boolean {
  const type = contentType(headers);
  return type === undefined || /\bjson\b/i.test(type);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
