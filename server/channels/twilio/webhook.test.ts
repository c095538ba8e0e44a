import { describe, expect, test } from "vitest";
import { WebhookPayloadError } from "../provider";
import { parseTwilioWebhook } from "./webhook";

const SENDER = "whatsapp:+14155238886";
const CONTACT = "whatsapp:+34600000001";
const inbound = (params: Record<string, string>) =>
  parseTwilioWebhook(new URLSearchParams({ MessageSid: "SM11", AccountSid: "AC1", From: CONTACT, To: SENDER, WaId: "34600000001", ProfileName: "Ana", SmsStatus: "received", NumMedia: "0", ...params }));

describe("Twilio webhooks", () => {
  test("an incoming text, on the sender's number, from the contact's WhatsApp id", () => {
    const parsed = inbound({ Body: "Hola", MessageType: "text" });
    expect(parsed.phoneNumberIds).toEqual(["14155238886"]);
    expect(parsed.messages).toEqual([
      expect.objectContaining({ wamid: "SM11", phoneNumberId: "14155238886", waId: "34600000001", profileName: "Ana", type: "text", text: "Hola", replyId: null, details: {} }),
    ]);
  });

  test("media, a location and a quick reply are read into the same message model as Meta's", () => {
    expect(inbound({ Body: "my receipt", NumMedia: "1", MediaUrl0: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/SM11/Media/ME1", MediaContentType0: "image/jpeg" }).messages[0]).toMatchObject({
      type: "image",
      text: "my receipt",
      details: { media: { id: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/SM11/Media/ME1", mimeType: "image/jpeg", caption: "my receipt" } },
    });
    expect(inbound({ Latitude: "41.40", Longitude: "2.17", Label: "Sagrada Família", MessageType: "location" }).messages[0]).toMatchObject({
      type: "location",
      text: "Sagrada Família",
      details: { location: { latitude: 41.4, longitude: 2.17, name: "Sagrada Família" } },
    });
    expect(inbound({ Body: "Confirm", ButtonText: "Confirm", ButtonPayload: "CONFIRM_42", MessageType: "button" }).messages[0]).toMatchObject({
      type: "button",
      text: "Confirm",
      replyId: "CONFIRM_42",
      details: { reply: { kind: "template_button", id: "CONFIRM_42", title: "Confirm" } },
    });
  });

  test("status callbacks update the business's message; an undelivered one fails with its meaning; queued is not tracked", () => {
    const status = (params: Record<string, string>) => parseTwilioWebhook(new URLSearchParams({ MessageSid: "SM22", AccountSid: "AC1", From: SENDER, To: CONTACT, ...params }));
    expect(status({ MessageStatus: "delivered", SmsStatus: "delivered" }).statuses).toEqual([expect.objectContaining({ wamid: "SM22", phoneNumberId: "14155238886", status: "delivered", error: null })]);
    expect(status({ MessageStatus: "undelivered", ErrorCode: "63016" }).statuses[0]).toMatchObject({ status: "failed", error: { code: 63016, kind: "window_closed" } });
    expect(status({ MessageStatus: "queued" })).toMatchObject({ statuses: [], messages: [], ignoredChanges: 1 });
  });

  test("a body without MessageSid is not Twilio's", () => {
    expect(() => parseTwilioWebhook(new URLSearchParams({ Body: "hi" }))).toThrow(WebhookPayloadError);
  });
});
