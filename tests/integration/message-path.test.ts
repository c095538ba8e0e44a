// The whole path of one message on real components: signed webhook → ingress → embedded
// executor → router → compiled flow function → Graph API client → (fake) Graph API.
import { describe, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { CHANNEL, eventually, useParley, textWebhook, webhookEnvelope } from "../support/parley";

const parley = useParley();

const GREETING = "I'm Parley's demo bot.";
const QUESTION = "What should I call you?";

async function runOf(waId: string) {
  return db().flowRun.findFirstOrThrow({
    where: { conversation: { contact: { waId } } },
    orderBy: { startedAt: "desc" },
    include: { traces: { orderBy: { startedAt: "asc" } } },
  });
}

describe("a signed webhook", () => {
  test("gets the demo flow's reply through the Graph API, with the channel's token", async () => {
    const waId = "34600000001";
    const { body } = textWebhook(waId, "hi", { name: "Ana" });
    const response = await parley.postWebhook(body);
    expect(response.status).toBe(200);
    await eventually(() => parley.textsTo(waId).length >= 2, 10_000, "greeting and question");
    expect(parley.textsTo(waId)).toEqual([`Hi Ana! ${GREETING}`, QUESTION]);
    const request = parley.graph.requests.find((r) => r.body.to === waId)!;
    expect(request.phoneNumberId).toBe(CHANNEL.phoneNumberId);
    expect(request.authorization).toBe(`Bearer ${CHANNEL.accessToken}`);
    expect(request.body).toMatchObject({ messaging_product: "whatsapp", recipient_type: "individual", to: waId, type: "text" });
    // The contact's message is marked read with "typing…" before the answer (whatsapp.md fact 18).
    const inbound = await db().message.findFirstOrThrow({ where: { direction: "inbound", conversation: { contact: { waId } } } });
    const receipt = parley.graph.requests.findIndex((r) => r.body.status === "read" && r.body.message_id === inbound.wamid);
    expect(receipt).toBeGreaterThanOrEqual(0);
    expect(parley.graph.requests[receipt]!.body).toEqual({ messaging_product: "whatsapp", status: "read", message_id: inbound.wamid, typing_indicator: { type: "text" } });
    expect(receipt).toBeLessThan(parley.graph.requests.findIndex((r) => r.body.to === waId));
    // A send's wamid is stored once Meta's answer is back, just after the fake has recorded the request.
    const stored = await eventually(async () => {
      const rows = await db().message.findMany({ where: { direction: "outbound", conversation: { contact: { waId } } } });
      return rows.length === 2 && rows.every((row) => row.wamid !== null) ? rows : undefined;
    }, 10_000, "both sends' wamids stored");
    expect(stored.map((m) => m.wamid).sort()).toEqual(parley.graph.requests.filter((r) => r.body.to === waId).map((r) => r.wamid).sort());
  });

  test("delivered twice is stored once and answered once", async () => {
    const waId = "34600000002";
    const { body, wamid } = textWebhook(waId, "hello");
    expect((await parley.postWebhook(body)).status).toBe(200);
    await eventually(() => parley.textsTo(waId).length >= 2, 10_000, "first answers");
    expect((await parley.postWebhook(body)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(parley.textsTo(waId)).toHaveLength(2);
    expect(await db().message.count({ where: { wamid } })).toBe(1);
    expect(await db().flowRun.count({ where: { conversation: { contact: { waId } } } })).toBe(1);
  });

  test("the answer to a question resumes the same run, which leaves one trace row per node", async () => {
    const waId = "34600000003";
    await parley.postWebhook(textWebhook(waId, "hey").body);
    await eventually(() => parley.textsTo(waId).includes(QUESTION), 10_000, "the question");
    const waiting = await eventually(async () => {
      const run = await runOf(waId);
      return run.status === "waiting" ? run : undefined;
    }, 10_000, "the run to wait");
    await parley.postWebhook(textWebhook(waId, "Marta").body);
    await eventually(() => parley.textsTo(waId).length >= 3, 10_000, "the thanks");
    expect(parley.textsTo(waId)[2]).toBe("Nice to meet you, Marta! Write again any time to start over.");
    const run = await eventually(async () => {
      const latest = await runOf(waId);
      return latest.status === "completed" ? latest : undefined;
    }, 10_000, "the run to complete");
    expect(run.id).toBe(waiting.id);
    expect(await db().flowRun.count({ where: { conversation: { contact: { waId } } } })).toBe(1);
    expect(run.traces.map((t) => [t.nodeId, t.port, t.error])).toEqual([
      ["start", "next", null],
      ["greet", "next", null],
      ["ask_name", "next", null],
      ["thanks", "next", null],
    ]);
    expect(run.traces.find((t) => t.nodeId === "ask_name")!.output).toMatchObject({ answer: "Marta" });
    expect(run.vars).toEqual({ name: "Marta" });
  });

  test("an answer sent while the run is still between steps is not lost", async () => {
    const waId = "34600000004";
    parley.graph.delayWhen(`Hi Slowpoke!`, 1_500);
    await parley.postWebhook(textWebhook(waId, "hi", { name: "Slowpoke" }).body);
    // The greeting's send is slow: the contact answers before the question is even asked.
    await eventually(async () => (await db().flowRun.count({ where: { conversation: { contact: { waId } } } })) === 1, 10_000, "the run to start");
    await parley.postWebhook(textWebhook(waId, "Quick Quentin").body);
    await eventually(() => parley.textsTo(waId).length >= 3, 15_000, "all three answers");
    expect(parley.textsTo(waId)).toEqual(["Hi Slowpoke! I'm Parley's demo bot.", QUESTION, "Nice to meet you, Quick Quentin! Write again any time to start over."]);
  });

  test("a message written while a run finishes without asking again starts the next run", async () => {
    const waId = "34600000009";
    await parley.postWebhook(textWebhook(waId, "hi", { name: "Bea" }).body);
    await eventually(async () => (await runOf(waId)).status === "waiting", 10_000, "the question");
    parley.graph.delayWhen("Nice to meet you, Bea B", 1_500);
    await parley.postWebhook(textWebhook(waId, "Bea B", { name: "Bea" }).body);
    await eventually(async () => (await runOf(waId)).status === "running", 10_000, "the run to take the answer");
    // The run is busy sending its last message and will not ask anything more.
    await parley.postWebhook(textWebhook(waId, "one more thing", { name: "Bea" }).body);
    await eventually(() => parley.textsTo(waId).length >= 5, 15_000, "a second greeting");
    expect(parley.textsTo(waId).slice(2)).toEqual(["Nice to meet you, Bea B! Write again any time to start over.", `Hi Bea! ${GREETING}`, QUESTION]);
    const statuses = async () =>
      (await db().flowRun.findMany({ where: { conversation: { contact: { waId } } }, orderBy: { startedAt: "asc" } })).map((r) => r.status);
    expect(await eventually(async () => ((await statuses())[1] === "waiting" ? statuses() : undefined), 10_000, "the second run to wait")).toEqual([
      "completed",
      "waiting",
    ]);
  });

  test("a run waiting across an app restart resumes on the next message", async () => {
    const waId = "34600000005";
    await parley.postWebhook(textWebhook(waId, "hi").body);
    await eventually(async () => (await runOf(waId)).status === "waiting", 10_000, "the run to wait");
    await parley.restart();
    await parley.postWebhook(textWebhook(waId, "Renata").body);
    await eventually(() => parley.textsTo(waId).length >= 3, 15_000, "the answer after restart");
    expect(parley.textsTo(waId)[2]).toBe("Nice to meet you, Renata! Write again any time to start over.");
    expect(await db().flowRun.count({ where: { conversation: { contact: { waId } } } })).toBe(1);
  });
});

describe("the ingress refuses bad input with a reason and stores nothing", () => {
  test("a forged signature gets 401", async () => {
    const { body, wamid } = textWebhook("34600000006", "hi");
    const response = await parley.postWebhook(body, { secret: "not-the-app-secret" });
    expect(response.status).toBe(401);
    expect(await db().message.count({ where: { wamid } })).toBe(0);
  });

  test("malformed JSON gets 400", async () => {
    const response = await parley.postWebhook(null, { raw: "{not json" });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/not JSON/);
  });

  test("an unknown phone number id gets 404", async () => {
    const { body } = textWebhook("34600000007", "hi");
    body.entry[0]!.changes[0]!.value.metadata.phone_number_id = "999";
    const response = await parley.postWebhook(body);
    expect(response.status).toBe(404);
    expect((await response.json()).error).toMatch(/999/);
  });

  test("the verification handshake echoes the challenge only for the channel's verify token", async () => {
    const ok = await fetch(`${parley.url}/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${CHANNEL.verifyToken}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await fetch(`${parley.url}/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`);
    expect(wrong.status).toBe(403);
  });
});

describe("status webhooks", () => {
  test("update the sent message and start nothing", async () => {
    const waId = "34600000008";
    await parley.postWebhook(textWebhook(waId, "hi").body);
    await eventually(() => parley.textsTo(waId).length >= 2, 10_000, "answers");
    const sent = parley.graph.requests.find((r) => r.body.to === waId)!;
    const runsBefore = await db().flowRun.count();
    const statuses = (list: { status: string; errors?: unknown[] }[]) =>
      webhookEnvelope({
        statuses: list.map((s) => ({ id: sent.wamid, recipient_id: waId, timestamp: String(Math.floor(Date.now() / 1000)), ...s })),
      });
    // Out of order: "read" before "delivered" must not be downgraded.
    expect((await parley.postWebhook(statuses([{ status: "read" }]))).status).toBe(200);
    expect((await parley.postWebhook(statuses([{ status: "delivered" }]))).status).toBe(200);
    const message = await db().message.findUniqueOrThrow({ where: { wamid: sent.wamid }, include: { statuses: true } });
    expect(message.status).toBe("read");
    expect(message.statuses.map((s) => s.status).sort()).toEqual(["delivered", "read"]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await db().flowRun.count()).toBe(runsBefore);
  });

  test("a greeting Meta later reports failed for its pair rate is sent again, once, by the redelivery function", async () => {
    const waId = "34600000019";
    await parley.postWebhook(textWebhook(waId, "hi").body);
    await eventually(() => parley.textsTo(waId).length >= 2, 10_000, "answers");
    const sent = parley.graph.requests.find((r) => r.body.to === waId)!;
    const failed = webhookEnvelope({
      statuses: [
        { id: sent.wamid, recipient_id: waId, status: "failed", timestamp: String(Math.floor(Date.now() / 1000)), errors: [{ code: 131056, title: "Pair rate limit hit" }] },
      ],
    });
    expect((await parley.postWebhook(failed)).status).toBe(200);
    const resent = await eventually(
      () => parley.graph.requests.filter((r) => r.body.to === waId && JSON.stringify(r.body) === JSON.stringify(sent.body)).slice(1)[0],
      15_000,
      "the greeting sent again",
    );
    expect((await parley.postWebhook(failed)).status).toBe(200); // the same failure delivered twice
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(parley.graph.requests.filter((r) => r.body.to === waId && JSON.stringify(r.body) === JSON.stringify(sent.body))).toHaveLength(2);
    const message = await db().message.findFirstOrThrow({ where: { wamid: resent.wamid } });
    expect(message.status).not.toBe("failed");
  });
});
