// Message templates read from the (fake) Graph API page by page, cached per number for an
// hour, read again on demand, and a failure that keeps the cached ones and says why.
import { beforeAll, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { useChannelDatabase } from "../../../tests/support/channel-database";
import { listTemplates } from "../template-cache";

const channels = useChannelDatabase();
const WABA = "102290129340398";
const HOUR = 3_600_000;

const template = (name: string, body: string, status = "APPROVED") => ({
  name,
  language: "en_US",
  status,
  category: "UTILITY",
  id: `t-${name}`,
  components: [
    { type: "HEADER", format: "TEXT", text: "Order update" },
    { type: "BODY", text: body },
    { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Stop" }] },
  ],
});

beforeAll(async () => {
  await db().channel.update({ where: { id: channels.channelId }, data: { wabaId: WABA } });
  channels.graph.templates.set(WABA, [
    template("order_shipped", "Hi {{1}}, order {{2}} is on its way. Track it: {{3}}"),
    template("appointment_reminder", "See you {{1}} at {{2}}. Reply {{1}} to confirm.", "PENDING"),
    ...Array.from({ length: 128 }, (_, i) => template(`promo_${String(i).padStart(3, "0")}`, "Sale!")),
  ]);
});

test("every template of the number's WABA is listed, across pages, with its body and how many parameters it takes", async () => {
  const now = new Date(Date.UTC(2026, 2, 1));
  const { templates, problems } = await listTemplates({ workspaceId: channels.workspaceId, now });
  expect(problems).toEqual([]);
  expect(templates).toHaveLength(130);
  expect(templates.find((t) => t.name === "order_shipped")).toEqual({
    channelId: channels.channelId,
    name: "order_shipped",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    bodyText: "Hi {{1}}, order {{2}} is on its way. Track it: {{3}}",
    bodyParameters: 3,
    header: null,
    buttons: [{ index: 0, subType: "quick_reply", text: "Stop", required: false }],
  });
  expect(templates.find((t) => t.name === "appointment_reminder")).toMatchObject({ status: "PENDING", bodyParameters: 2 });
});

test("within the hour the cache answers; after it, or on refresh, the Graph API is read again", async () => {
  const fetched = new Date(Date.UTC(2026, 2, 2));
  await listTemplates({ workspaceId: channels.workspaceId, now: fetched, refresh: true });
  channels.graph.templates.set(WABA, [template("order_shipped", "Hi {{1}}, order {{2}} shipped.")]);
  const cached = await listTemplates({ workspaceId: channels.workspaceId, now: new Date(fetched.getTime() + HOUR / 2) });
  expect(cached.templates).toHaveLength(130);
  const later = await listTemplates({ workspaceId: channels.workspaceId, now: new Date(fetched.getTime() + HOUR) });
  expect(later.templates.map((t) => [t.name, t.bodyParameters])).toEqual([["order_shipped", 2]]);
  channels.graph.templates.set(WABA, [template("order_shipped", "Hi {{1}}."), template("welcome", "Welcome!")]);
  const refreshed = await listTemplates({ workspaceId: channels.workspaceId, channelId: channels.channelId, refresh: true, now: new Date(fetched.getTime() + HOUR + 1) });
  expect(refreshed.templates.map((t) => t.name)).toEqual(["order_shipped", "welcome"]);
});

test("when Meta refuses, the cached templates stay and the reason is given", async () => {
  await db().channel.update({ where: { id: channels.channelId }, data: { wabaId: "999999999" } });
  const { templates, problems } = await listTemplates({ workspaceId: channels.workspaceId, refresh: true });
  expect(templates.map((t) => t.name)).toEqual(["order_shipped", "welcome"]);
  expect(problems).toEqual([{ channelId: channels.channelId, error: expect.stringMatching(/Meta refused to list the templates \(404, code 100\)/) }]);
});

test("a number without its WABA id is told what to set", async () => {
  await db().channel.update({ where: { id: channels.channelId }, data: { wabaId: null } });
  const { problems } = await listTemplates({ workspaceId: channels.workspaceId, channelId: channels.channelId });
  expect(problems[0]!.error).toMatch(/WhatsApp Business Account ID/);
});
