// Every payload of the corpus (tests/fixtures/whatsapp/) parsed into the message model the
// flow language reads: each inbound type, each status, batches, duplicates and statuses
// out of order.
import { describe, expect, test } from "vitest";
import { webhookCorpus } from "../../../tests/support/whatsapp-corpus";
import { parseWebhook } from "./webhook-payload";

const corpus = webhookCorpus();

describe("the webhook corpus", () => {
  test("covers every inbound type of whatsapp.md fact 6 and every status", () => {
    const types = new Set(corpus.flatMap((f) => f.expected.messages.map((m) => m.type)));
    for (const type of ["text", "image", "audio", "video", "document", "sticker", "location", "contacts", "reaction", "interactive", "button", "system", "unsupported"]) {
      expect(types, type).toContain(type);
    }
    const statuses = new Set(corpus.flatMap((f) => f.expected.statuses.map((s) => s.status)));
    expect([...statuses].sort()).toEqual(["delivered", "failed", "read", "sent"]);
  });

  test.each(corpus.map((fixture) => [fixture.file, fixture] as const))("%s", (_, fixture) => {
    const parsed = fixture.deliveries.map((delivery) => parseWebhook(delivery));
    const messages = parsed.flatMap((p) => p.messages);
    expect(messages).toHaveLength(fixture.expected.messages.length);
    fixture.expected.messages.forEach((expected, index) => {
      const message = messages[index]!;
      const { unsupported, ...fields } = expected;
      expect(message).toMatchObject(fields);
      if (unsupported) expect(message.details.unsupported?.reason).toMatch(/\w/);
      else expect(message.details).toEqual(expected.details);
    });
    expect(parsed.flatMap((p) => p.statuses).map((s) => ({ wamid: s.wamid, status: s.status, errorCodes: (s.errors ?? []).map((e) => (e as { code: number }).code) }))).toEqual(
      fixture.expected.statuses,
    );
    expect(parsed.reduce((sum, p) => sum + p.errors.length, 0)).toBe(fixture.expected.errors ?? 0);
    expect(parsed.reduce((sum, p) => sum + p.ignoredChanges, 0)).toBe(fixture.expected.ignoredChanges ?? 0);
  });
});
