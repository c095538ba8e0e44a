// Sending through the Graph API client against a fake Graph API: the 24-hour window checked
// before calling Meta, retries with backoff on Meta's "slow down" answers, permanent
// refusals recorded with their meaning, and never a second send for one idempotency key.
import { describe, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { fakeClock } from "../../tests/support/fake-clock";
import { useChannelDatabase } from "../../tests/support/channel-database";
import { sendMessage } from "./send";
import { ChannelSendError } from "./send-error";

const channels = useChannelDatabase();
const HOUR = 3_600_000;
let keys = 0;
const key = () => `test-send-${++keys}`;
const text = (body: string) => ({ type: "text" as const, text: body });
const sentTo = (waId: string) => channels.graph.requests.filter((r) => r.body.to === waId);
// Each test at its own time, a day after the last, so the number's pacing starts fresh.
let day = 0;
const newClock = () => fakeClock(Date.UTC(2026, 0, 1) + ++day * 24 * HOUR);

describe("the 24-hour window", () => {
  test("a free-form message to a contact who last wrote 25 hours ago is refused before Meta hears of it", async () => {
    const clock = newClock();
    const { conversationId } = await channels.conversation("34600000301", new Date(clock.now() - 25 * HOUR));
    const result = await sendMessage({ conversationId, idempotencyKey: key(), message: text("Are you still there?") }, { clock });
    expect(result.windowClosed).toBeDefined();
    expect(sentTo("34600000301")).toHaveLength(0);
    const stored = await db().message.findUniqueOrThrow({ where: { id: result.messageId } });
    expect(stored).toMatchObject({ status: "failed", wamid: null, text: "Are you still there?", error: { kind: "window_closed", retriable: false } });
  });

  test("a contact who never wrote gets no free-form message either, but a template goes out", async () => {
    const clock = newClock();
    const { conversationId } = await channels.conversation("34600000302", null);
    expect((await sendMessage({ conversationId, idempotencyKey: key(), message: text("Hello!") }, { clock })).windowClosed).toEqual({ lastInboundAt: null });
    const template = await sendMessage(
      { conversationId, idempotencyKey: key(), message: { type: "template", name: "order_update", language: "en", bodyParameters: ["A1"] } },
      { clock },
    );
    expect(template.wamid).toMatch(/^wamid\./);
    expect(sentTo("34600000302").map((r) => r.body.type)).toEqual(["template"]);
  });

  test("within 24 hours of the contact's message a free-form message is sent", async () => {
    const clock = newClock();
    const { conversationId } = await channels.conversation("34600000303", new Date(clock.now() - 23 * HOUR));
    const result = await sendMessage({ conversationId, idempotencyKey: key(), message: text("Your order shipped") }, { clock });
    expect(result.windowClosed).toBeUndefined();
    expect(sentTo("34600000303").map((r) => r.wamid)).toEqual([result.wamid]);
  });
});

test("a contact who writes from behind a username is answered at their business-scoped user id", async () => {
  const clock = newClock();
  const contact = await db().contact.create({ data: { workspaceId: channels.workspaceId, bsuid: "US.13491208655302741918" } });
  const conversation = await db().conversation.create({ data: { workspaceId: channels.workspaceId, channelId: channels.channelId, contactId: contact.id, lastInboundAt: new Date(clock.now() - HOUR) } });
  const result = await sendMessage({ conversationId: conversation.id, idempotencyKey: key(), message: text("Hi nightowl") }, { clock });
  const [request] = channels.graph.requests.filter((r) => r.body.recipient === "US.13491208655302741918");
  expect(request).toMatchObject({ wamid: result.wamid, body: { recipient_type: "individual", text: { body: "Hi nightowl" } } });
  expect(request!.body).not.toHaveProperty("to");
});

describe("retries", () => {
  test("Meta's throughput error is retried after a pause and the message goes out once", async () => {
    const clock = newClock();
    const { conversationId } = await channels.conversation("34600000401", new Date(clock.now()));
    channels.graph.refuseNext({ status: 400, code: 130429, message: "Rate limit hit" });
    const idempotencyKey = key();
    const result = await sendMessage({ conversationId, idempotencyKey, message: text("Hi") }, { clock });
    expect(sentTo("34600000401")).toHaveLength(1);
    expect(clock.sleeps).toContain(1_000);
    expect(await db().message.findUniqueOrThrow({ where: { id: result.messageId } })).toMatchObject({ status: "sent", wamid: result.wamid, error: null });

    // The step replayed (or retried after the process died): the key finds the sent message.
    const again = await sendMessage({ conversationId, idempotencyKey, message: text("Hi") }, { clock });
    expect(again).toEqual({ messageId: result.messageId, wamid: result.wamid });
    expect(sentTo("34600000401")).toHaveLength(1);
  });

  test("the pair rate error backs off 1 s, then 4 s, as Meta advises", async () => {
    const clock = newClock();
    const { conversationId } = await channels.conversation("34600000402", new Date(clock.now()));
    channels.graph.refuseNext({ status: 400, code: 131056, message: "(#131056) (Business Account, Consumer Account) pair rate limit hit" }, 2);
    await sendMessage({ conversationId, idempotencyKey: key(), message: text("Hi") }, { clock });
    expect(clock.sleeps.filter((ms) => ms >= 1_000)).toEqual([1_000, 4_000]);
    expect(sentTo("34600000402")).toHaveLength(1);
  });

  test("a Retry-After on a 429 is honoured", async () => {
    const clock = newClock();
    const { conversationId } = await channels.conversation("34600000403", new Date(clock.now()));
    channels.graph.refuseNext({ status: 429, code: 80007, retryAfter: 7 });
    await sendMessage({ conversationId, idempotencyKey: key(), message: text("Hi") }, { clock });
    expect(clock.sleeps).toContain(7_000);
    expect(sentTo("34600000403")).toHaveLength(1);
  });

  test("when Meta keeps failing the step gives up as retriable, the message stays pending, and the executor's retry sends it once", async () => {
    const clock = newClock();
    const { conversationId } = await channels.conversation("34600000404", new Date(clock.now()));
    channels.graph.refuseNext({ status: 503, message: "Service temporarily unavailable" }, 4);
    const idempotencyKey = key();
    const failure = await sendMessage({ conversationId, idempotencyKey, message: text("Hi") }, { clock }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ChannelSendError);
    expect((failure as ChannelSendError).retriable).toBe(true);
    const pending = await db().message.findUniqueOrThrow({ where: { idempotencyKey } });
    expect(pending).toMatchObject({ status: "pending", wamid: null, error: { retriable: true } });

    const retried = await sendMessage({ conversationId, idempotencyKey, message: text("Hi") }, { clock });
    expect(retried.messageId).toBe(pending.id);
    expect(sentTo("34600000404")).toHaveLength(1);
  });

  test("a permanent refusal is not retried and is recorded with its meaning", async () => {
    const clock = newClock();
    const { conversationId } = await channels.conversation("34600000405", new Date(clock.now()));
    channels.graph.refuseNext({ status: 400, code: 132001, message: "(#132001) Template name does not exist in the translation" });
    const failure = await sendMessage(
      { conversationId, idempotencyKey: key(), message: { type: "template", name: "no_such", language: "en", bodyParameters: [] } },
      { clock },
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "ChannelSendError", retriable: false, code: 132001 });
    expect(channels.graph.refused.filter((r) => r.body.to === "34600000405")).toHaveLength(1);
    const stored = await db().message.findFirstOrThrow({ where: { conversationId } });
    expect(stored).toMatchObject({ status: "failed", error: { code: 132001, kind: "template", retriable: false } });
    expect((stored.error as { meaning: string }).meaning).toMatch(/No such template/);
  });
});
