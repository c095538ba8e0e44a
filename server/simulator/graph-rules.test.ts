// The simulator's Graph rules against Parley's own wire format: every message kind Parley
// sends at WhatsApp's limits is accepted, and one character or option past a limit is
// refused with Meta's code and a detail naming the field.
import { describe, expect, test } from "vitest";
import { outboundMessageSchema, type OutboundMessage } from "@/flows/message";
import { toWireMessage } from "@/server/channels/whatsapp/graph-client";
import { checkGraphSend } from "./graph-rules";

const at = (length: number) => "x".repeat(length);
const wire = (message: OutboundMessage) => toWireMessage({ phone: "34600000001" }, outboundMessageSchema.parse(message));

describe("what Parley sends at WhatsApp's limits is accepted", () => {
  const messages: OutboundMessage[] = [
    { type: "text", text: at(4096), previewUrl: true },
    { type: "image", url: "https://example.com/a.png", caption: at(1024) },
    { type: "audio", url: "https://example.com/a.ogg" },
    { type: "document", url: "https://example.com/a.pdf", caption: "invoice", filename: "invoice.pdf" },
    {
      type: "buttons",
      body: at(1024),
      header: at(60),
      footer: at(60),
      buttons: [1, 2, 3].map((n) => ({ id: `b${n}`, title: `${at(18)}-${n}` })),
    },
    {
      type: "list",
      body: "Pick one",
      button: at(20),
      sections: [
        { title: at(24), rows: [1, 2, 3, 4, 5].map((n) => ({ id: `a${n}`, title: `${at(22)}${n}`, description: at(72) })) },
        { title: "More", rows: [6, 7, 8, 9, 10].map((n) => ({ id: `b${n}`, title: `row ${n}` })) },
      ],
    },
    { type: "location", latitude: 40.4, longitude: -3.7, name: "Office" },
    { type: "template", name: "order_update", language: "en_US", bodyParameters: ["A-1", "shipped"] },
  ];
  for (const message of messages) test(message.type, () => expect(checkGraphSend(wire(message))).toBeNull());
});

describe("past a limit, the send is refused as Meta refuses it", () => {
  const buttons = wire({ type: "buttons", body: "Choose", buttons: [{ id: "a", title: "Yes" }] }) as { interactive: { action: { buttons: unknown[] } } };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["a text over 4,096 characters", { messaging_product: "whatsapp", to: "1", type: "text", text: { body: at(4097) } }, /text\.body/],
    [
      "a button title over 20 characters",
      { ...buttons, interactive: { ...buttons.interactive, action: { buttons: [{ type: "reply", reply: { id: "a", title: at(21) } }] } } },
      /Button title length invalid/,
    ],
    [
      "four buttons",
      { ...buttons, interactive: { ...buttons.interactive, action: { buttons: [1, 2, 3, 4].map((n) => ({ type: "reply", reply: { id: `b${n}`, title: `B${n}` } })) } } },
      /Number of buttons invalid/,
    ],
    [
      "two buttons with one title",
      { ...buttons, interactive: { ...buttons.interactive, action: { buttons: [1, 2].map((n) => ({ type: "reply", reply: { id: `b${n}`, title: "Same" } })) } } },
      /unique/,
    ],
    [
      "eleven list rows",
      {
        messaging_product: "whatsapp",
        to: "1",
        type: "interactive",
        interactive: { type: "list", body: { text: "Pick" }, action: { button: "Open", sections: [{ rows: Array.from({ length: 11 }, (_, n) => ({ id: `r${n}`, title: `Row ${n}` })) }] } },
      },
      /Total row count/,
    ],
    ["an image with neither link nor id", { messaging_product: "whatsapp", to: "1", type: "image", image: { caption: "hi" } }, /link or a media id/],
  ];
  for (const [what, body, detail] of cases) {
    test(what, () => {
      const refusal = checkGraphSend(body);
      expect(refusal).toMatchObject({ status: 400, code: 131009 });
      expect(refusal?.details).toMatch(detail);
    });
  }

  test("an unknown type and a missing recipient get Meta's (#100) errors", () => {
    expect(checkGraphSend({ messaging_product: "whatsapp", to: "1", type: "hologram" })).toMatchObject({ code: 100, message: expect.stringContaining("Param type must be one of") });
    expect(checkGraphSend({ messaging_product: "whatsapp", type: "text", text: { body: "hi" } })).toMatchObject({ code: 100, message: expect.stringContaining("to or recipient is required") });
    expect(checkGraphSend({ messaging_product: "whatsapp", recipient: "US.13491208655302741918", type: "text", text: { body: "hi" } })).toBeNull();
  });
});
