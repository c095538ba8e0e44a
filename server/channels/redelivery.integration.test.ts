// A message the provider took and then reported failed for a passing reason (Meta's pair
// rate in a status webhook, Twilio's 63018 in its status callback; even one reported before
// the provider's answer) is sent again, once per failure and at most MAX_REDELIVERIES times;
// a failure for good, or a window that closed meanwhile, sends nothing more.
import { expect, test } from "vitest";
import { db } from "@/server/db/client";
import { sql } from "@/server/db/sql";
import { fakeClock } from "../../tests/support/fake-clock";
import { TEST_CHANNEL, useChannelDatabase } from "../../tests/support/channel-database";
import type { ParsedStatus } from "./provider";
import { MAX_REDELIVERIES, redeliveryAfter } from "./redelivery";
import { redeliver } from "./redelivery-function";
import { sendMessage } from "./send";
import { applyEarlyStatuses, linkEarlyStatuses, recordStatus, type EarlyStatusEvent } from "./statuses";
import { parseTwilioWebhook } from "./twilio/webhook";
import { deliveryError } from "./whatsapp/errors";

const channels = useChannelDatabase();
const HOUR = 3_600_000;
let keys = 0;
const sentTo = (waId: string) => channels.graph.requests.filter((r) => r.body.to === waId);
// Each test at its own time, a day after the last, so the number's pacing starts fresh.
let day = 0;
const newClock = () => fakeClock(Date.UTC(2026, 3, 1) + ++day * 24 * HOUR);

async function sentMessage(waId: string, clock = newClock()) {
  const { conversationId } = await channels.conversation(waId, new Date(clock.now() - HOUR));
  const sent = await sendMessage({ conversationId, idempotencyKey: `redelivery-${++keys}`, message: { type: "text", text: "Your table is booked" } }, { clock });
  return { ...sent, wamid: sent.wamid!, clock };
}

const failed = (wamid: string, code: number): ParsedStatus => {
  const error = deliveryError({ code, title: "Failed" });
  return { wamid, phoneNumberId: TEST_CHANNEL.phoneNumberId, status: "failed", timestamp: new Date(), errors: [{ code }], error };
};

test("a pair rate failure reported after Meta took the message sends it again, once, after Meta's backoff", async () => {
  const { messageId, wamid, clock } = await sentMessage("34600000401");
  await recordStatus(failed(wamid, 131056));
  const redelivery = await redeliveryAfter(failed(wamid, 131056));
  expect(redelivery).toMatchObject({ id: `redeliver:${wamid}`, data: { messageId, failedWamid: wamid, delayMs: 1_000 } });

  expect(await redeliver(redelivery!.data, { clock })).toEqual({ redelivered: true });
  const requests = sentTo("34600000401");
  expect(requests).toHaveLength(2);
  expect(requests[1]!.body).toEqual(requests[0]!.body);
  const message = await db().message.findUniqueOrThrow({ where: { id: messageId } });
  expect(message).toMatchObject({ status: "sent", wamid: requests[1]!.wamid, error: null });

  // The same failure delivered again (a webhook retried, the event replayed) sends nothing more.
  expect(await redeliver(redelivery!.data, { clock })).toEqual({ redelivered: false });
  expect(sentTo("34600000401")).toHaveLength(2);
});

test("Twilio's rate limit in an undelivered status callback schedules a redelivery", async () => {
  const { messageId, wamid } = await sentMessage("34600000402");
  const [status] = parseTwilioWebhook(new URLSearchParams({ MessageSid: wamid, From: `whatsapp:+${TEST_CHANNEL.phoneNumberId}`, To: "whatsapp:+34600000402", MessageStatus: "undelivered", ErrorCode: "63018" })).statuses;
  await recordStatus(status!);
  expect(await redeliveryAfter(status!)).toMatchObject({ data: { messageId, failedWamid: wamid } });
});

test("a failure for good (the closed window, an unknown number) is not sent again", async () => {
  const { wamid } = await sentMessage("34600000403");
  await recordStatus(failed(wamid, 131047));
  expect(await redeliveryAfter(failed(wamid, 131047))).toBeNull();
  const other = await sentMessage("34600000404");
  await recordStatus(failed(other.wamid, 131026));
  expect(await redeliveryAfter(failed(other.wamid, 131026))).toBeNull();
});

test(`after ${MAX_REDELIVERIES} redeliveries the failure stands`, async () => {
  const { messageId, clock, ...first } = await sentMessage("34600000405");
  let { wamid } = first;
  for (let redeliveries = 0; redeliveries < MAX_REDELIVERIES; redeliveries++) {
    await recordStatus(failed(wamid, 130429));
    const redelivery = await redeliveryAfter(failed(wamid, 130429));
    expect(redelivery?.data.delayMs).toBe(2 ** redeliveries * 1_000);
    await redeliver(redelivery!.data, { clock });
    wamid = (await db().message.findUniqueOrThrow({ where: { id: messageId } })).wamid!;
  }
  await recordStatus(failed(wamid, 130429));
  expect(await redeliveryAfter(failed(wamid, 130429))).toBeNull();
  expect(sentTo("34600000405")).toHaveLength(1 + MAX_REDELIVERIES);
  expect(await db().message.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({ status: "failed", error: { code: 130429 } });
});

test("a window that closed before the redelivery refuses it before Meta, as a first send would be", async () => {
  const { messageId, wamid, clock } = await sentMessage("34600000406");
  await recordStatus(failed(wamid, 131056));
  const redelivery = await redeliveryAfter(failed(wamid, 131056));
  clock.advance(24 * HOUR);
  expect(await redeliver(redelivery!.data, { clock })).toEqual({ redelivered: false });
  expect(sentTo("34600000406")).toHaveLength(1);
  expect(await db().message.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({ status: "failed", error: { kind: "window_closed" } });
});

test("a failure reported before the provider's answer came back is due for redelivery once the send applies it", async () => {
  const clock = newClock();
  const { conversationId } = await channels.conversation("34600000407", new Date(clock.now() - HOUR));
  await recordStatus(failed("wamid.EARLY407", 131056));
  expect(await redeliveryAfter(failed("wamid.EARLY407", 131056))).toBeNull(); // nothing to redeliver yet: no message has that id
  const message = await db().message.create({
    data: { conversationId, channelId: channels.channelId, direction: "outbound", type: "text", text: "Hi", payload: { type: "text", text: "Hi" }, status: "sent", wamid: "wamid.EARLY407" },
  });
  const linked = await sql().$queryRaw<EarlyStatusEvent>`${linkEarlyStatuses(message.id, "wamid.EARLY407")}`;
  const applied = await applyEarlyStatuses(message.id, linked);
  expect(applied).toMatchObject({ status: "failed", error: { code: 131056, kind: "pair_rate" } });
  expect(await redeliveryAfter({ wamid: "wamid.EARLY407", ...applied! })).toMatchObject({ data: { messageId: message.id, failedWamid: "wamid.EARLY407" } });
});
