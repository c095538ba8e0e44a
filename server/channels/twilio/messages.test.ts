import { expect, test } from "vitest";
import type { OutboundMessage } from "@/flows/message";
import { toTwilioForm } from "./messages";

const form = (message: Parameters<typeof toTwilioForm>[2]) => {
  const result = toTwilioForm("14155238886", "34600000001", message);
  return "refused" in result ? result : Object.fromEntries(result);
};

test("texts and media go as Body and MediaUrl from and to WhatsApp addresses", () => {
  expect(form({ type: "text", text: "Hola" })).toEqual({ From: "whatsapp:+14155238886", To: "whatsapp:+34600000001", Body: "Hola" });
  expect(form({ type: "image", url: "https://cdn.example.com/a.jpg", caption: "The shirt" })).toMatchObject({ MediaUrl: "https://cdn.example.com/a.jpg", Body: "The shirt" });
});

test("buttons and lists go as text with numbered options, which the Ask node accepts as answers", () => {
  expect(form({ type: "buttons", body: "Which size?", buttons: [{ id: "s", title: "Small" }, { id: "m", title: "Medium" }] })).toMatchObject({ Body: "Which size?\n\n1. Small\n2. Medium" });
  expect(form({ type: "list", body: "Pick a slot", button: "Slots", sections: [{ rows: [{ id: "a", title: "Tuesday", description: "9–12" }] }] })).toMatchObject({ Body: "Pick a slot\n\n1. Tuesday — 9–12" });
});

test("a template goes as its Content SID and variables; one the number's cache does not hold is refused with what to do", () => {
  const template = { name: "order_update", status: "APPROVED", providerTemplateId: "HX0123", components: [{ type: "BODY", text: "Order {{1}} ships today." }] };
  const message: OutboundMessage = { type: "template", name: "order_update", language: "en", bodyParameters: ["A-17"] };
  expect(Object.fromEntries(toTwilioForm("14155238886", "34600000001", message, template) as URLSearchParams)).toEqual({
    From: "whatsapp:+14155238886",
    To: "whatsapp:+34600000001",
    ContentSid: "HX0123",
    ContentVariables: '{"1":"A-17"}',
  });
  expect(form(message)).toEqual({ refused: expect.stringMatching(/no Twilio Content template “order_update” \(en\).*refresh the number's templates/) });
});
