import { describe, expect, test } from "vitest";
import { WebhookPayloadError } from "../provider";
import { parseWebhook } from "./webhook-payload";

function change(phoneNumberId: string, value: Record<string, unknown>) {
  return { field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: phoneNumberId, display_phone_number: "15550100" }, ...value } };
}

describe("parseWebhook", () => {
  test("reads every entry, change and message of a batch, not only the first", () => {
    const parsed = parseWebhook({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "waba-1",
          changes: [
            change("111", {
              contacts: [
                { wa_id: "34600000001", profile: { name: "Ana" } },
                { wa_id: "34600000002", profile: { name: "Bo" } },
              ],
              messages: [
                { id: "wamid.A", from: "34600000001", timestamp: "1700000000", type: "text", text: { body: "hola" } },
                { id: "wamid.B", from: "34600000002", timestamp: "1700000001", type: "text", text: { body: "hi" } },
              ],
            }),
          ],
        },
        { id: "waba-2", changes: [change("222", { messages: [{ id: "wamid.C", from: "34600000003", type: "text", text: { body: "three" } }] })] },
      ],
    });
    expect(parsed.messages.map((m) => [m.wamid, m.phoneNumberId, m.waId, m.profileName, m.text])).toEqual([
      ["wamid.A", "111", "34600000001", "Ana", "hola"],
      ["wamid.B", "111", "34600000002", "Bo", "hi"],
      ["wamid.C", "222", "34600000003", null, "three"],
    ]);
    expect(parsed.phoneNumberIds.sort()).toEqual(["111", "222"]);
    expect(parsed.messages[0]!.sentAt.toISOString()).toBe("2023-11-14T22:13:20.000Z");
  });

  test("reads statuses apart from messages, with their errors", () => {
    const parsed = parseWebhook({
      object: "whatsapp_business_account",
      entry: [
        {
          changes: [
            change("111", {
              statuses: [
                { id: "wamid.OUT1", status: "delivered", timestamp: "1700000100", recipient_id: "34600000001" },
                { id: "wamid.OUT2", status: "failed", timestamp: "1700000101", errors: [{ code: 131047, title: "Re-engagement message" }] },
              ],
            }),
          ],
        },
      ],
    });
    expect(parsed.messages).toEqual([]);
    expect(parsed.statuses.map((s) => [s.wamid, s.status, s.errors])).toEqual([
      ["wamid.OUT1", "delivered", null],
      ["wamid.OUT2", "failed", [{ code: 131047, title: "Re-engagement message" }]],
    ]);
  });

  test("normalises interactive replies, template buttons and media captions", () => {
    const parsed = parseWebhook({
      object: "whatsapp_business_account",
      entry: [
        {
          changes: [
            change("111", {
              messages: [
                { id: "w1", from: "1", type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes please" } } },
                { id: "w2", from: "1", type: "interactive", interactive: { type: "list_reply", list_reply: { id: "row-2", title: "Tuesday", description: "9–12" } } },
                { id: "w3", from: "1", type: "button", button: { text: "Stop promotions", payload: "STOP" } },
                { id: "w4", from: "1", type: "image", image: { id: "media-1", mime_type: "image/jpeg", caption: "my receipt" } },
              ],
            }),
          ],
        },
      ],
    });
    expect(parsed.messages.map((m) => [m.type, m.text, m.replyId])).toEqual([
      ["interactive", "Yes please", "yes"],
      ["interactive", "Tuesday", "row-2"],
      ["button", "Stop promotions", "STOP"],
      ["image", "my receipt", null],
    ]);
  });

  test("keeps unknown message types instead of dropping them", () => {
    const parsed = parseWebhook({
      object: "whatsapp_business_account",
      entry: [{ changes: [change("111", { messages: [{ id: "w9", from: "1", type: "hologram", hologram: { x: 1 } }] })] }],
    });
    expect(parsed.messages).toHaveLength(1);
    expect(parsed.messages[0]).toMatchObject({ wamid: "w9", type: "hologram", text: null });
    expect(parsed.messages[0]!.raw).toMatchObject({ hologram: { x: 1 } });
  });

  test("reads a business-scoped user id when the phone number is hidden", () => {
    const parsed = parseWebhook({
      object: "whatsapp_business_account",
      entry: [{ changes: [change("111", { contacts: [{ user_id: "US.abc", profile: { name: "Hidden" } }], messages: [{ id: "w5", from_user_id: "US.abc", type: "text", text: { body: "hey" } }] })] }],
    });
    expect(parsed.messages[0]).toMatchObject({ waId: null, bsuid: "US.abc", profileName: "Hidden" });
  });

  test("counts changes of other fields without failing", () => {
    const parsed = parseWebhook({ object: "whatsapp_business_account", entry: [{ changes: [{ field: "account_update", value: { event: "x" } }] }] });
    expect(parsed.ignoredChanges).toBe(1);
  });

  test.each([
    ["not an envelope", { hello: "world" }],
    ["another object", { object: "page", entry: [] }],
    ["a change without metadata", { object: "whatsapp_business_account", entry: [{ changes: [{ field: "messages", value: { messages: [] } }] }] }],
    ["a message without id", { object: "whatsapp_business_account", entry: [{ changes: [change("1", { messages: [{ from: "1", type: "text" }] })] }] }],
  ])("rejects %s with a reason", (_, body) => {
    expect(() => parseWebhook(body)).toThrow(WebhookPayloadError);
  });
});
