import { expect, test } from "vitest";
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

test("a template is refused with why, before calling Twilio", () => {
  expect(form({ type: "template", name: "order_update", language: "en", bodyParameters: [] })).toEqual({ refused: expect.stringMatching(/Content SID/) });
});
