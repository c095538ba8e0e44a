// The simulator number's message templates, as Meta's Graph API lists them for a WhatsApp
// Business Account (GET /{waba_id}/message_templates), so the reply node's picker and
// broadcasts work on the simulator as on a live number. Sends of a template it does not
// hold, or with the wrong number of parameters, are refused with Meta's codes.
import type { GraphRefusal } from "./graph-rules";

export const SIMULATOR_WABA_ID = "SIMULATOR-WABA";

interface SimulatorTemplate {
  name: string;
  language: string;
  status: "APPROVED" | "PENDING" | "REJECTED";
  category: "UTILITY" | "MARKETING";
  components: { type: string; format?: string; text?: string; buttons?: { type: string; text: string; url?: string }[] }[];
}

export const SIMULATOR_TEMPLATES: SimulatorTemplate[] = [
  {
    name: "order_update",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Hi {{1}}, your order {{2}} is on its way." }],
  },
  {
    name: "spring_offer",
    language: "en_US",
    status: "APPROVED",
    category: "MARKETING",
    components: [
      { type: "HEADER", format: "TEXT", text: "Spring offer" },
      { type: "BODY", text: "Hello {{1}}! This week only: {{2}} off everything. Reply to ask us anything." },
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Tell me more" }] },
    ],
  },
  {
    name: "order_shipped",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    components: [
      { type: "HEADER", format: "IMAGE" },
      { type: "BODY", text: "Hi {{1}}, your order is on its way." },
      { type: "BUTTONS", buttons: [{ type: "URL", text: "Track it", url: "https://shop.example/track/{{1}}" }] },
    ],
  },
  {
    name: "appointment_reminder",
    language: "es",
    status: "APPROVED",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Hola {{1}}, te recordamos tu cita el {{2}}." }],
  },
  {
    name: "loyalty_points",
    language: "en_US",
    status: "PENDING",
    category: "MARKETING",
    components: [{ type: "BODY", text: "{{1}}, you have {{2}} points to spend." }],
  },
];

const bodyOf = (template: SimulatorTemplate) => template.components.find((component) => component.type === "BODY")?.text ?? "";
const placeholders = (text: string) => new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1])).size;

type TemplateRequest = { name?: unknown; language?: { code?: unknown }; components?: unknown };
type RequestComponent = { type?: string; index?: string; parameters?: Record<string, unknown>[] };

function requestComponents(request: TemplateRequest, type: string): RequestComponent[] {
  const components = Array.isArray(request.components) ? (request.components as RequestComponent[]) : [];
  return components.filter((component) => component.type?.toLowerCase() === type);
}

function bodyParameters(request: TemplateRequest): string[] {
  return (requestComponents(request, "body")[0]?.parameters ?? []).map((parameter) => String(parameter.text ?? ""));
}

/** The header's one parameter as sent: its text, or its media's link. */
function headerParameter(request: TemplateRequest): { type: string; value: string } | null {
  const parameter = requestComponents(request, "header")[0]?.parameters?.[0];
  if (!parameter || typeof parameter.type !== "string") return null;
  const media = parameter[parameter.type] as { link?: unknown } | undefined;
  return { type: parameter.type, value: String(parameter.type === "text" ? parameter.text : media?.link) };
}

const mismatch = (details: string): GraphRefusal => ({ status: 400, code: 132000, message: "(#132000) Number of parameters does not match the expected number of params", details });

function find(request: TemplateRequest): SimulatorTemplate | undefined {
  return SIMULATOR_TEMPLATES.find((template) => template.name === request.name && template.language === request.language?.code);
}

/** Meta's refusal of a template send the simulator's account could not make, or null. */
export function templateRefusal(request: TemplateRequest): GraphRefusal | null {
  const template = find(request);
  if (!template || template.status !== "APPROVED") {
    return { status: 404, code: 132001, message: "(#132001) Template name does not exist in the translation", details: `template name (${String(request.name)}) does not exist in ${String(request.language?.code)}` };
  }
  const expected = placeholders(bodyOf(template));
  const given = bodyParameters(request).length;
  if (given !== expected) return mismatch(`body: number of localizable_params (${given}) does not match the expected number of params (${expected})`);
  const header = template.components.find((component) => component.type === "HEADER");
  const headerWants = header?.format && header.format !== "TEXT" ? header.format.toLowerCase() : header?.text && placeholders(header.text) > 0 ? "text" : null;
  const headerGiven = headerParameter(request);
  if ((headerWants ?? null) !== (headerGiven?.type ?? null)) {
    return mismatch(`header: expected ${headerWants ? `a ${headerWants} parameter` : "no parameter"}, got ${headerGiven ? `a ${headerGiven.type} parameter` : "none"}`);
  }
  const buttons = template.components.find((component) => component.type === "BUTTONS")?.buttons ?? [];
  for (const [index, button] of buttons.entries()) {
    const given = requestComponents(request, "button").some((component) => component.index === String(index));
    if (button.type === "URL" && placeholders(button.url ?? "") > 0 && !given) return mismatch(`button at index ${index}: the link's {{1}} has no parameter`);
  }
  return null;
}

/** What the simulated phone shows for a template send: its header, filled body, footer and buttons. */
export function renderTemplate(request: TemplateRequest): { header?: string; headerLink?: string; text: string; footer?: string; buttons: string[] } | null {
  const template = find(request);
  if (!template) return null;
  const values = bodyParameters(request);
  const part = (type: string) => template.components.find((component) => component.type === type);
  const header = headerParameter(request);
  return {
    header: header?.type === "text" ? (part("HEADER")?.text ?? "").replace(/\{\{\s*1\s*\}\}/, header.value) : part("HEADER")?.text,
    headerLink: header && header.type !== "text" ? header.value : undefined,
    text: bodyOf(template).replace(/\{\{\s*(\d+)\s*\}\}/g, (placeholder, index: string) => values[Number(index) - 1] ?? placeholder),
    footer: part("FOOTER")?.text,
    buttons: (part("BUTTONS")?.buttons ?? []).map((button) => button.text),
  };
}
