import { describe, expect, test } from "vitest";
import { outboundMessageSchema, type OutboundMessage } from "@/flows/message";
import { toWireMessage } from "./graph-client";

const TO = "34600000001";
const envelope = { messaging_product: "whatsapp", recipient_type: "individual", to: TO };
const wire = (message: OutboundMessage) => toWireMessage({ phone: TO }, outboundMessageSchema.parse(message));

describe("toWireMessage: Meta's Graph API body for each kind (whatsapp.md facts 11–14)", () => {
  test("text, with link previews off unless asked for", () => {
    expect(wire({ type: "text", text: "Hi" })).toStrictEqual({ ...envelope, type: "text", text: { body: "Hi", preview_url: false } });
    expect(wire({ type: "text", text: "See https://parley.dev", previewUrl: true })).toStrictEqual({
      ...envelope,
      type: "text",
      text: { body: "See https://parley.dev", preview_url: true },
    });
  });

  test("a contact known only by their business-scoped user id is addressed as recipient, not to", () => {
    expect(toWireMessage({ userId: "US.13491208655302741918" }, { type: "text", text: "Hi" })).toStrictEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      recipient: "US.13491208655302741918",
      type: "text",
      text: { body: "Hi", preview_url: false },
    });
  });

  test("image and video by link, the caption only when there is one", () => {
    expect(wire({ type: "image", url: "https://cdn.example.com/a.jpg", caption: "Your receipt" })).toStrictEqual({
      ...envelope,
      type: "image",
      image: { link: "https://cdn.example.com/a.jpg", caption: "Your receipt" },
    });
    expect(wire({ type: "video", url: "https://cdn.example.com/a.mp4" })).toStrictEqual({
      ...envelope,
      type: "video",
      video: { link: "https://cdn.example.com/a.mp4" },
    });
  });

  test("audio has no caption; documents carry a file name", () => {
    expect(wire({ type: "audio", url: "https://cdn.example.com/a.ogg" })).toStrictEqual({ ...envelope, type: "audio", audio: { link: "https://cdn.example.com/a.ogg" } });
    expect(wire({ type: "document", url: "https://cdn.example.com/i.pdf", caption: "Invoice", filename: "invoice-42.pdf" })).toStrictEqual({
      ...envelope,
      type: "document",
      document: { link: "https://cdn.example.com/i.pdf", caption: "Invoice", filename: "invoice-42.pdf" },
    });
  });

  test("reply buttons: interactive type button with header, body, footer and reply actions", () => {
    const message: OutboundMessage = {
      type: "buttons",
      header: "Your order",
      body: "Did it arrive?",
      footer: "Parley",
      buttons: [
        { id: "yes", title: "Yes" },
        { id: "no", title: "No" },
      ],
    };
    expect(wire(message)).toStrictEqual({
      ...envelope,
      type: "interactive",
      interactive: {
        type: "button",
        header: { type: "text", text: "Your order" },
        body: { text: "Did it arrive?" },
        footer: { text: "Parley" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "yes", title: "Yes" } },
            { type: "reply", reply: { id: "no", title: "No" } },
          ],
        },
      },
    });
    expect(wire({ type: "buttons", body: "Ok?", buttons: [{ id: "ok", title: "OK" }] })).toStrictEqual({
      ...envelope,
      type: "interactive",
      interactive: { type: "button", body: { text: "Ok?" }, action: { buttons: [{ type: "reply", reply: { id: "ok", title: "OK" } }] } },
    });
  });

  test("lists: interactive type list with the button label and sections of rows", () => {
    const message: OutboundMessage = {
      type: "list",
      body: "Pick a time",
      button: "Times",
      sections: [
        { title: "Morning", rows: [{ id: "9", title: "9:00", description: "Before the rush" }, { id: "10", title: "10:00" }] },
        { title: "Afternoon", rows: [{ id: "15", title: "15:00" }] },
      ],
    };
    expect(wire(message)).toStrictEqual({
      ...envelope,
      type: "interactive",
      interactive: {
        type: "list",
        body: { text: "Pick a time" },
        action: {
          button: "Times",
          sections: [
            { title: "Morning", rows: [{ id: "9", title: "9:00", description: "Before the rush" }, { id: "10", title: "10:00" }] },
            { title: "Afternoon", rows: [{ id: "15", title: "15:00" }] },
          ],
        },
      },
    });
  });

  test("location", () => {
    expect(wire({ type: "location", latitude: 40.4168, longitude: -3.7038, name: "Shop", address: "Puerta del Sol, Madrid" })).toStrictEqual({
      ...envelope,
      type: "location",
      location: { latitude: 40.4168, longitude: -3.7038, name: "Shop", address: "Puerta del Sol, Madrid" },
    });
  });

  test("templates: name, language code and the body parameters as text components", () => {
    expect(wire({ type: "template", name: "appointment_reminder", language: "en_US", bodyParameters: ["Ana", "Monday 10:00"] })).toStrictEqual({
      ...envelope,
      type: "template",
      template: {
        name: "appointment_reminder",
        language: { code: "en_US" },
        components: [{ type: "body", parameters: [{ type: "text", text: "Ana" }, { type: "text", text: "Monday 10:00" }] }],
      },
    });
    expect(wire({ type: "template", name: "hello_world", language: "en_US", bodyParameters: [] })).toStrictEqual({
      ...envelope,
      type: "template",
      template: { name: "hello_world", language: { code: "en_US" } },
    });
  });

  test("media by uploaded id, and reactions on the contact's message", () => {
    expect(wire({ type: "document", mediaId: "1234567890", filename: "invoice.pdf" })).toStrictEqual({
      ...envelope,
      type: "document",
      document: { id: "1234567890", filename: "invoice.pdf" },
    });
    expect(wire({ type: "reaction", messageId: "cm-parley-id", wamid: "wamid.HBgL", emoji: "👍" })).toStrictEqual({
      ...envelope,
      type: "reaction",
      reaction: { message_id: "wamid.HBgL", emoji: "👍" },
    });
  });

  test("templates: a media header, then the body, then each button's parameter by its index", () => {
    const message = {
      type: "template" as const,
      name: "order_shipped",
      language: "en_US",
      header: { type: "image" as const, url: "https://cdn.example.com/parcel.jpg" },
      bodyParameters: ["Ana"],
      buttons: [
        { index: 0, subType: "url" as const, value: "A-1042" },
        { index: 1, subType: "quick_reply" as const, value: "STOP_PROMOS" },
      ],
    };
    expect(wire(message).template).toStrictEqual({
      name: "order_shipped",
      language: { code: "en_US" },
      components: [
        { type: "header", parameters: [{ type: "image", image: { link: "https://cdn.example.com/parcel.jpg" } }] },
        { type: "body", parameters: [{ type: "text", text: "Ana" }] },
        { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "A-1042" }] },
        { type: "button", sub_type: "quick_reply", index: "1", parameters: [{ type: "payload", payload: "STOP_PROMOS" }] },
      ],
    });
    expect(wire({ ...message, header: { type: "text", text: "Order A-1042" }, buttons: undefined, bodyParameters: [] }).template).toStrictEqual({
      name: "order_shipped",
      language: { code: "en_US" },
      components: [{ type: "header", parameters: [{ type: "text", text: "Order A-1042" }] }],
    });
  });
});

describe("outboundMessageSchema refuses what WhatsApp refuses", () => {
  const issues = (message: unknown) => outboundMessageSchema.safeParse(message).error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];
  const button = (title: string, id = title) => ({ id, title });

  test("more than 3 buttons, long or repeated titles", () => {
    expect(issues({ type: "buttons", body: "?", buttons: ["a", "b", "c", "d"].map((t) => button(t)) })).toEqual(["buttons: at most 3 buttons"]);
    expect(issues({ type: "buttons", body: "?", buttons: [button("x".repeat(21))] })).toEqual(["buttons.0.title: button titles hold at most 20 characters"]);
    expect(issues({ type: "buttons", body: "?", buttons: [button("Yes", "a"), button("yes", "b")] })).toEqual(["buttons: button titles must differ"]);
    expect(issues({ type: "buttons", body: "x".repeat(1025), buttons: [button("Yes")] })).toEqual(["body: the body holds at most 1024 characters"]);
  });

  test("more than 10 rows in all, repeated row ids", () => {
    const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `r${i + from}`, title: `Row ${i + from}` }));
    expect(issues({ type: "list", body: "?", button: "Open", sections: [{ title: "A", rows: rows(6) }, { title: "B", rows: rows(5, 6) }] })).toEqual([
      "sections: at most 10 rows in all sections together",
    ]);
    expect(issues({ type: "list", body: "?", button: "Open", sections: [{ rows: [...rows(1), ...rows(1)] }] })).toEqual(["sections: row ids must differ"]);
  });

  test("media needs a downloadable link; audio takes no caption", () => {
    expect(issues({ type: "image", url: "cdn/a.jpg" })).toEqual(["url: a public http(s) link WhatsApp can download"]);
    expect(outboundMessageSchema.parse({ type: "audio", url: "https://a.example/x.ogg", caption: "ignored" })).toStrictEqual({ type: "audio", url: "https://a.example/x.ogg" });
  });
});
