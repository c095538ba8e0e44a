import { describe, expect, test } from "vitest";
import { toWireMessage } from "@/server/channels/whatsapp/graph-client";
import type { OutboundMessage } from "@/flows/message";
import { viewMessage } from "./message-view";

// The simulator shows what the bot posted to the fake Graph API: the wire format.
const view = (message: OutboundMessage) => viewMessage(toWireMessage({ phone: "15550001111" }, message));

describe("simulator bubbles for each outbound kind", () => {
  test("media: the caption and a link to the file", () => {
    expect(view({ type: "image", url: "https://cdn.example.com/a.jpg", caption: "Your receipt" })).toEqual({
      text: "Your receipt",
      buttons: [],
      link: { url: "https://cdn.example.com/a.jpg", label: "🖼 Image" },
    });
    expect(view({ type: "document", url: "https://cdn.example.com/i.pdf", filename: "invoice.pdf" })).toMatchObject({
      text: null,
      link: { url: "https://cdn.example.com/i.pdf", label: "📄 invoice.pdf" },
    });
    expect(viewMessage({ type: "image", image: { link: "javascript:alert(1)" } })).toEqual({ text: null, buttons: [], note: "🖼 Image" });
    // What a customer sends comes by media id: named, with its caption.
    expect(viewMessage({ type: "document", document: { id: "123", filename: "plan.pdf", caption: "Here" } })).toEqual({ text: "Here", buttons: [], note: "📄 plan.pdf" });
  });

  test("buttons and list rows are tappable; a list names its button", () => {
    expect(view({ type: "buttons", body: "Did it arrive?", header: "Order", buttons: [{ id: "yes", title: "Yes" }] })).toEqual({
      text: "Did it arrive?",
      header: "Order",
      footer: null,
      buttons: [{ kind: "button", id: "yes", title: "Yes" }],
    });
    expect(view({ type: "list", body: "Pick", button: "Times", sections: [{ rows: [{ id: "9", title: "9:00" }] }] })).toMatchObject({
      text: "Pick",
      buttons: [{ kind: "list", id: "9", title: "9:00" }],
      note: "☰ Times",
    });
  });

  test("location and template", () => {
    expect(view({ type: "location", latitude: 40.4, longitude: -3.7, name: "Shop", address: "Main St 1" }).note).toBe("📍 Shop, Main St 1 (40.4, -3.7)");
    expect(view({ type: "template", name: "order_update", language: "en_US", bodyParameters: ["Ana", "42"] }).note).toBe("Template “order_update” (en_US): Ana, 42");
  });
});
