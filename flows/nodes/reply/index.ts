import { z } from "zod";
import { defineNode, NEXT_PORT } from "../../define-node";
import { WINDOW_CLOSED_PORT, WHATSAPP_LIMITS as L, type OutboundMessage } from "../../message";
import { checkRendered, messageLimits, pauseSchema, requireText, templated, templatedUrl } from "./limits";

const KINDS = ["text", "image", "video", "audio", "document", "buttons", "list", "location", "template", "reaction"] as const;
type ReplyKind = (typeof KINDS)[number];

// One flat object rather than a union per kind: the inspector builds its form from the
// object's fields, and a flow saved before kinds existed (`{ text }`) is a text reply.
// What each kind needs is checked below, with the field's path so the canvas points at it.
const config = z
  .object({
    kind: z.enum(KINDS).default("text").describe("What to send."),
    // Left out by locations and templates, yet the main field of every other kind: `catch`
    // rather than `optional` keeps it a plain (not "optional") field in the inspector. Its
    // limits depend on the kind, so they are checked below.
    text: z
      .string()
      .trim()
      .catch("")
      .describe("The message; the caption of an image, video or document; the text above buttons or a list."),
    previewUrl: z.boolean().optional().describe("Text only: show a preview of the first link."),
    mediaUrl: templatedUrl.optional().describe("Image, video, audio or document: a public https link WhatsApp downloads."),
    mediaId: z
      .string()
      .trim()
      .regex(/^\d{1,40}$/, "the id Meta answered the upload with: digits only")
      .optional()
      .describe("Image, video, audio or document: instead of a link, the id of a file uploaded to the number (WhatsApp Cloud API only)."),
    filename: templated(240, "file names hold at most 240 characters").optional().describe("Document only: the name the contact sees."),
    header: messageLimits.header.optional().describe("Buttons and lists: a bold line above the text."),
    footer: messageLimits.footer.optional().describe("Buttons and lists: a small grey line below the text."),
    buttons: messageLimits.buttons.optional().describe("Buttons: up to 3, each { id, title }. An “Ask” with choices waits for the answer."),
    listButton: messageLimits.listButton.optional().describe("List: the label of the button that opens it (“Choose” when empty)."),
    sections: messageLimits.sections.optional().describe("List: sections { title, rows: [{ id, title, description }] }, 10 rows in all."),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
    locationName: templated(1000, "a place name holds at most 1000 characters").optional(),
    address: templated(1000, "an address holds at most 1000 characters").optional(),
    templateName: z
      .string()
      .trim()
      .regex(/^[a-z0-9_]{1,512}$/, "the template's name as approved in WhatsApp Manager: lowercase letters, digits and '_'")
      .optional()
      .meta({ choices: "templates" }),
    language: z
      .string()
      .trim()
      .regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'the template\'s language code, such as "en_US" or "es"')
      .optional(),
    parameters: z.array(templated(1000, "a template parameter holds at most 1000 characters")).max(100).optional().describe("Template: values for {{1}}, {{2}}… of its body, in order."),
    headerFormat: z.enum(["text", "image", "video", "document"]).optional().describe("Template: what its header takes, set when the template is picked."),
    headerParameter: templated(2000, "a header parameter holds at most 2000 characters")
      .optional()
      .describe("Template: the header's {{1}} text, or the https link to the image, video or document it shows."),
    buttonParameters: z
      .array(
        z.object({
          index: z.number().int().min(0).max(9),
          subType: z.enum(["url", "quick_reply"]),
          value: templated(2000, "a button parameter holds at most 2000 characters", "give the button its value"),
        }),
      )
      .max(10)
      .optional()
      .describe("Template: by the button's position (from 0), a dynamic link's URL suffix or the payload a quick reply sends back."),
    emoji: z.string().trim().max(16, "a reaction is one emoji").optional().describe("Reaction: the emoji to put on the contact's message."),
    reactTo: templated(200, "a message id").optional().describe("Reaction: the message to react to; empty means the one being answered ({{message.id}})."),
    pauseBefore: pauseSchema.optional().describe('Wait this long before sending ("3s"), so bubbles in a row are paced as WhatsApp expects.'),
  })
  .superRefine((c, issues) => {
    const kind: ReplyKind = c.kind;
    const need = (field: keyof typeof c, message: string) => {
      const value = c[field];
      if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) issues.addIssue({ code: "custom", path: [field], message });
    };
    switch (kind) {
      case "text":
        need("text", "write the message to send");
        requireText(c.text, L.text, false, issues, `WhatsApp texts hold at most ${L.text} characters.`);
        return;
      case "image":
      case "video":
      case "document":
        if (!c.mediaId) need("mediaUrl", `give the public link of the ${kind} to send, or an uploaded media id`);
        requireText(c.text, L.caption, false, issues, `A caption holds at most ${L.caption} characters (WhatsApp's limit).`);
        return;
      case "audio":
        if (!c.mediaId) need("mediaUrl", "give the public link of the audio to send, or an uploaded media id");
        if (c.text) issues.addIssue({ code: "custom", path: ["text"], message: "WhatsApp sends audio without a caption: leave the text empty or send it as its own message." });
        return;
      case "buttons":
        requireText(c.text, L.interactiveBody, true, issues, `Above buttons the text holds at most ${L.interactiveBody} characters (WhatsApp's limit).`);
        need("buttons", "add 1 to 3 buttons, each { id, title }");
        return;
      case "list":
        requireText(c.text, L.interactiveBody, true, issues, `Above a list the text holds at most ${L.interactiveBody} characters (WhatsApp's limit).`);
        need("sections", "add a section with rows { id, title }");
        return;
      case "location":
        need("latitude", "give the latitude (-90 to 90)");
        need("longitude", "give the longitude (-180 to 180)");
        return;
      case "reaction":
        need("emoji", "choose the emoji to react with");
        return;
      case "template":
        need("templateName", "give the name of an approved template");
        need("language", 'give the template\'s language code, such as "en_US"');
        if (c.headerFormat) need("headerParameter", c.headerFormat === "text" ? "give the header's {{1}}" : `give the link to the header's ${c.headerFormat}`);
        return;
    }
  });
type ReplyConfig = z.infer<typeof config>;

export default defineNode<ReplyConfig>({
  type: "reply",
  version: 1,
  title: "Send a message",
  description: "Sends a text, media, buttons, a list, a location or a template to the contact, or reacts to their message. Use {{variables}} to personalise it.",
  category: "message",
  icon: "💬",
  config,
  defaultConfig: { kind: "text", text: "Hello {{contact.name | default: 'there'}}!" },
  // Outside the 24-hour window WhatsApp takes only templates: a free-form reply can go on to one instead.
  ports: (c) => (c.kind === "template" ? [NEXT_PORT] : [NEXT_PORT, WINDOW_CLOSED_PORT]),
  summary: summarize,
  sendsFreeForm: (c) => c.kind !== "template",
  templateFields: ["text", "mediaUrl", "filename", "header", "footer", "buttons", "listButton", "sections", "locationName", "address", "parameters", "headerParameter", "buttonParameters", "reactTo"],
  async run(context) {
    if (context.config.pauseBefore) await context.sleep(context.config.pauseBefore);
    const message = checkRendered(composeMessage(context.config, context.render));
    const { messageId } = await context.send(message);
    const text = message.type === "text" ? message.text : "caption" in message ? message.caption : "body" in message ? message.body : undefined;
    return { output: { text: text ?? null, message, messageId } };
  },
});

function summarize(c: ReplyConfig): string {
  switch (c.kind) {
    case "text":
      return c.text ?? "";
    case "buttons":
      return `${c.text ?? ""} [${(c.buttons ?? []).map((b) => b.title).join(" | ")}]`;
    case "list":
      return `${c.text ?? ""} [list of ${(c.sections ?? []).flatMap((s) => s.rows).length}]`;
    case "location":
      return `📍 ${c.locationName ?? `${c.latitude}, ${c.longitude}`}`;
    case "template":
      return `Template ${c.templateName ?? "?"} (${c.language ?? "?"})`;
    case "reaction":
      return `React ${c.emoji ?? "?"}`;
    default:
      return `${c.kind}: ${c.text || c.mediaUrl || c.mediaId || ""}`;
  }
}

/** The message to send, every text rendered; empty optional texts are left out. */
function composeMessage(c: ReplyConfig, render: (template: string) => string): OutboundMessage {
  const optional = (template: string | undefined) => {
    const value = template === undefined ? "" : render(template).trim();
    return value === "" ? undefined : value;
  };
  const required = (template: string | undefined) => render(template ?? "").trim();
  const media = () => (c.mediaId ? { mediaId: c.mediaId } : { url: required(c.mediaUrl) });
  switch (c.kind) {
    case "text":
      return { type: "text", text: required(c.text), ...(c.previewUrl ? { previewUrl: true } : {}) };
    case "image":
    case "video":
      return { type: c.kind, ...media(), caption: optional(c.text) };
    case "audio":
      return { type: "audio", ...media() };
    case "document":
      return { type: "document", ...media(), caption: optional(c.text), filename: optional(c.filename) };
    case "buttons":
      return {
        type: "buttons",
        body: required(c.text),
        header: optional(c.header),
        footer: optional(c.footer),
        buttons: (c.buttons ?? []).map((button) => ({ id: button.id, title: required(button.title) })),
      };
    case "list":
      return {
        type: "list",
        body: required(c.text),
        header: optional(c.header),
        footer: optional(c.footer),
        button: optional(c.listButton) ?? "Choose",
        sections: (c.sections ?? []).map((section) => ({
          title: optional(section.title),
          rows: section.rows.map((row) => ({ id: row.id, title: required(row.title), description: optional(row.description) })),
        })),
      };
    case "reaction":
      return { type: "reaction", messageId: required(c.reactTo || "{{message.id}}"), emoji: c.emoji ?? "" };
    case "location":
      return { type: "location", latitude: c.latitude ?? 0, longitude: c.longitude ?? 0, name: optional(c.locationName), address: optional(c.address) };
    case "template": {
      const header = c.headerFormat ? required(c.headerParameter) : "";
      return {
        type: "template",
        name: c.templateName ?? "",
        language: c.language ?? "",
        bodyParameters: (c.parameters ?? []).map((p) => required(p)),
        ...(c.headerFormat ? { header: c.headerFormat === "text" ? { type: "text" as const, text: header } : { type: c.headerFormat, url: header } } : {}),
        ...(c.buttonParameters?.length ? { buttons: c.buttonParameters.map((button) => ({ index: button.index, subType: button.subType, value: required(button.value) })) } : {}),
      };
    }
  }
}
