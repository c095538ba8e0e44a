import { z } from "zod";
import { defineNode } from "../../define-node";
import { callHttpApi, type HttpCallOutcome } from "../../http/call";
import { redactUrl } from "../../http/outbound";
import { buildHttpCall, checkHttpRequest, DEFAULT_TIMEOUT_MS, httpRequestFields, MAX_URL_LENGTH, traceableRequest } from "../../http/request";

const { method, ...requestFields } = httpRequestFields;
const config = z
  .object({
    method,
    url: z.string().trim().min(1, "enter the URL to call").max(MAX_URL_LENGTH),
    ...requestFields,
  })
  .superRefine(checkHttpRequest);
type HttpConfig = z.infer<typeof config>;

export default defineNode<HttpConfig>({
  type: "http",
  version: 1,
  title: "HTTP request",
  description:
    "Calls an API (your order system, CRM…) and stores parts of its JSON answer in variables. Use {{variables}} in the URL, headers and body; " +
    "quote values in a JSON body with | json and in a URL with | url_encode. Continues at “error” when the call fails.",
  category: "data",
  icon: "🌐",
  config,
  defaultConfig: {
    method: "GET",
    url: "https://api.example.com/orders/{{vars.order_id}}",
    headers: [],
    body: "",
    timeoutMs: DEFAULT_TIMEOUT_MS,
    retries: 0,
    mapping: [{ variable: "order_status", path: "status" }],
  },
  outputs: z.object({
    method: z.string(),
    /** The URL called, secrets in its query blanked out. */
    url: z.string(),
    /** The API's HTTP status; null when no answer came (timeout, refused address…). */
    status: z.number().nullable(),
    durationMs: z.number(),
    attempts: z.number(),
    /** The response body as text (cut at the size limit). */
    response: z.string(),
    responseTruncated: z.boolean().optional(),
    /** The mapped values, by variable name (also stored as {{vars.<name>}}). */
    variables: z.record(z.string(), z.unknown()),
    /** Mapped variables whose path found nothing. */
    missing: z.array(z.string()).optional(),
    error: z.string().nullable(),
  }),
  // Header values carry API keys: traces show the header names only.
  traceConfig: traceableRequest,
  ports: () => [
    { id: "next", label: "success" },
    { id: "error", label: "error", failure: true },
  ],
  summary: (c) => `${c.method} ${redactUrl(c.url)}`,
  templateFields: ["url", "headers", "body"],
  setsVariables: (c) => c.mapping.map((entry) => entry.variable),
  async run(context) {
    const { config } = context;
    const request = buildHttpCall(config, context.render);
    if ("error" in request) {
      return {
        port: "error",
        output: { method: config.method, url: redactUrl(request.url), status: null, durationMs: 0, attempts: 0, response: "", variables: {}, error: request.error },
      };
    }
    const { call } = request;
    const outcome: HttpCallOutcome = await context.step("request", () => callHttpApi(call, context.fetch));
    for (const [name, value] of Object.entries(outcome.variables)) context.setVar(name, value);
    // Header values are left out on purpose: they carry API keys.
    return {
      port: outcome.ok ? "next" : "error",
      output: {
        method: config.method,
        url: redactUrl(call.url),
        status: outcome.status,
        durationMs: outcome.durationMs,
        attempts: outcome.attempts,
        response: outcome.response,
        ...(outcome.responseTruncated ? { responseTruncated: true } : {}),
        variables: outcome.variables,
        ...(outcome.missing.length > 0 ? { missing: outcome.missing } : {}),
        error: outcome.error,
      },
    };
  },
});
