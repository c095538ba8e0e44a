// What Meta's Graph API accepts on POST /{phone_number_id}/messages (../shared/whatsapp.md
// facts 11–14), checked the way Meta checks it, with Meta's error codes: the built-in
// simulator and the test fake both refuse what WhatsApp would refuse, so a flow that works
// there works on WhatsApp.
import { z } from "zod";

export interface GraphRefusal {
  status: number;
  code: number;
  message: string;
  details?: string;
}

const text = (max: number) => z.string().min(1).max(max);
const media = (caption: boolean) =>
  z
    .object({ link: z.url().optional(), id: z.string().min(1).optional(), ...(caption ? { caption: z.string().max(1024).optional() } : {}), filename: z.string().optional() })
    .refine((value) => Boolean(value.link) !== Boolean(value.id), "give either a link or a media id");

const header = z.looseObject({ type: z.string(), text: z.string().max(60, "Header text length invalid. Max length: 60").optional() }).optional();
const footer = z.object({ text: z.string().min(1).max(60, "Footer text length invalid. Max length: 60") }).optional();

const buttonMessage = z.object({
  type: z.literal("button"),
  header,
  body: z.object({ text: z.string().min(1).max(1024, "Body text length invalid. Min length: 1, Max length: 1024") }),
  footer,
  action: z.object({
    buttons: z
      .array(z.object({ type: z.literal("reply"), reply: z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20, "Button title length invalid. Min length: 1, Max length: 20") }) }))
      .min(1)
      .max(3, "Number of buttons invalid. Max: 3")
      .refine((buttons) => new Set(buttons.map((b) => b.reply.title.trim().toLowerCase())).size === buttons.length, "Button titles must be unique")
      .refine((buttons) => new Set(buttons.map((b) => b.reply.id)).size === buttons.length, "Button ids must be unique"),
  }),
});

const listMessage = z.object({
  type: z.literal("list"),
  header,
  body: z.object({ text: text(4096) }),
  footer,
  action: z
    .object({
      button: z.string().min(1).max(20, "Button label length invalid. Max length: 20"),
      sections: z
        .array(
          z.object({
            title: z.string().max(24, "Section title length invalid. Max length: 24").optional(),
            rows: z.array(
              z.object({
                id: z.string().min(1).max(200),
                title: z.string().min(1).max(24, "Row title length invalid. Max length: 24"),
                description: z.string().max(72, "Row description length invalid. Max length: 72").optional(),
              }),
            ).min(1),
          }),
        )
        .min(1)
        .max(10, "Number of sections invalid. Max: 10"),
    })
    .refine((action) => action.sections.flatMap((s) => s.rows).length <= 10, "Total row count exceed max allowed count: 10")
    .refine((action) => action.sections.length === 1 || action.sections.every((s) => s.title), "Section title is required when there are several sections")
    .refine((action) => new Set(action.sections.flatMap((s) => s.rows.map((r) => r.id))).size === action.sections.flatMap((s) => s.rows).length, "Row ids must be unique"),
});

/** The message body per type; a type Meta does not know is refused apart. */
const BY_TYPE: Record<string, z.ZodType> = {
  text: z.object({ text: z.object({ body: text(4096), preview_url: z.boolean().optional() }) }),
  image: z.object({ image: media(true) }),
  video: z.object({ video: media(true) }),
  document: z.object({ document: media(true) }),
  audio: z.object({ audio: media(false) }),
  sticker: z.object({ sticker: media(false) }),
  interactive: z.object({ interactive: z.discriminatedUnion("type", [buttonMessage, listMessage, z.looseObject({ type: z.enum(["cta_url", "location_request_message", "flow", "product", "product_list"]) })]) }),
  template: z.object({ template: z.looseObject({ name: z.string().min(1), language: z.object({ code: z.string().min(2) }), components: z.array(z.unknown()).optional() }) }),
  location: z.object({ location: z.looseObject({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }) }),
  contacts: z.object({ contacts: z.array(z.unknown()).min(1) }),
  reaction: z.object({ reaction: z.object({ message_id: z.string().min(1), emoji: z.string() }) }),
};

/** Whether WhatsApp accepts this send; null when it does, else the refusal Meta answers with. */
export function checkGraphSend(body: Record<string, unknown>): GraphRefusal | null {
  if (body.messaging_product !== "whatsapp") return { status: 400, code: 100, message: "(#100) The parameter messaging_product is required." };
  const addressed = [body.to, body.recipient].some((value) => typeof value === "string" && value !== "");
  if (!addressed) return { status: 400, code: 100, message: "(#100) The parameter to or recipient is required." };
  const type = typeof body.type === "string" ? body.type : "text";
  const schema = BY_TYPE[type];
  if (!schema) return { status: 400, code: 100, message: `(#100) Param type must be one of {${Object.keys(BY_TYPE).join(", ")}} - got "${type}".` };
  const parsed = schema.safeParse(body);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return {
    status: 400,
    code: 131009,
    message: "(#131009) Parameter value is not valid",
    details: `${issue.path.join(".")}: ${issue.message}`,
  };
}

/** Meta's error body for a refusal. */
export function graphErrorBody(refusal: GraphRefusal) {
  return {
    error: {
      message: refusal.message,
      type: "OAuthException",
      code: refusal.code,
      ...(refusal.details ? { error_data: { messaging_product: "whatsapp", details: refusal.details } } : {}),
      fbtrace_id: "simulated",
    },
  };
}
