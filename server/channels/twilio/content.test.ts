import { expect, test } from "vitest";
import { templateParameters } from "../templates";
import { contentComponents, contentFields, type ContentTemplate } from "./content";

// A shipping card as Twilio's Content API lists it: a media header whose link ends in a
// variable, the body's two, and a tracking link ending in the fourth.
const card = {
  "twilio/text": { body: "Hi {{1}}, order {{2}} is on its way." },
  "whatsapp/card": {
    body: "Hi {{1}}, order {{2}} is on its way.",
    footer: "Parley Shop",
    media: ["https://cdn.shop.example/parcels/{{3}}"],
    actions: [
      { type: "URL", title: "Track it", url: "https://shop.example/track/{{4}}" },
      { type: "QUICK_REPLY", title: "Stop updates", id: "stop" },
    ],
  },
};
const components = contentComponents(card)!;
const shipped: ContentTemplate = { name: "order_shipped", status: "APPROVED", providerTemplateId: "HXcard", components };
const send = (message: Partial<Parameters<typeof contentFields>[1]>, template: ContentTemplate | null = shipped) =>
  contentFields(template, { type: "template", name: "order_shipped", language: "en", bodyParameters: [], ...message });

test("a Content template's richest type is read as Meta's components, so the picker asks for what it takes", () => {
  expect(components).toEqual([
    { type: "HEADER", format: "IMAGE", url: "https://cdn.shop.example/parcels/{{3}}" },
    { type: "BODY", text: "Hi {{1}}, order {{2}} is on its way." },
    { type: "FOOTER", text: "Parley Shop" },
    { type: "BUTTONS", buttons: [{ type: "URL", text: "Track it", url: "https://shop.example/track/{{4}}" }, { type: "QUICK_REPLY", text: "Stop updates", id: "stop" }] },
  ]);
  expect(templateParameters(components)).toEqual({
    header: { format: "image" },
    buttons: [
      { index: 0, subType: "url", text: "Track it", required: true },
      { index: 1, subType: "quick_reply", text: "Stop updates", required: false },
    ],
  });
  // Quick replies without a declared type, media at a fixed link (no parameter), and types Parley cannot fill in.
  expect(contentComponents({ "twilio/quick-reply": { body: "Still there?", actions: [{ title: "Yes", id: "yes" }] } })).toEqual([
    { type: "BODY", text: "Still there?" },
    { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Yes", id: "yes" }] },
  ]);
  expect(contentComponents({ "twilio/media": { body: "Our menu", media: ["https://cdn.shop.example/menu.pdf"] } })).toEqual([{ type: "BODY", text: "Our menu" }]);
  expect(contentComponents({ "twilio/list-picker": { body: "Pick one", items: [] } })).toBeNull();
});

test("body, header and button parameters become the ContentVariables their placeholders name", () => {
  expect(
    send({
      bodyParameters: ["Ana", "A-17"],
      header: { type: "image", url: "https://cdn.shop.example/parcels/a17.jpg" },
      buttons: [{ index: 0, subType: "url", value: "A-17?from=wa" }],
    }),
  ).toEqual({ ContentSid: "HXcard", ContentVariables: JSON.stringify({ 1: "Ana", 2: "A-17", 3: "a17.jpg", 4: "A-17?from=wa" }) });
  // A body that names its variables out of order still takes Parley's parameters as {{1}}, {{2}}…
  const reversed = { ...shipped, components: [{ type: "BODY", text: "{{2}} is ready, {{1}}." }] };
  expect(send({ bodyParameters: ["Ana", "A-17"] }, reversed)).toEqual({ ContentSid: "HXcard", ContentVariables: '{"1":"Ana","2":"A-17"}' });
});

test("what Twilio's template cannot take is refused with what to do", () => {
  const complete = { bodyParameters: ["Ana", "A-17"], header: { type: "image" as const, url: "https://cdn.shop.example/parcels/a17.jpg" }, buttons: [{ index: 0, subType: "url" as const, value: "A-17" }] };
  expect(send(complete, null)).toEqual({ refused: expect.stringMatching(/no Twilio Content template “order_shipped” \(en\): create it/) });
  expect(send(complete, { ...shipped, status: "PENDING" })).toEqual({ refused: expect.stringMatching(/is pending: WhatsApp sends only approved templates/) });
  expect(send({ ...complete, bodyParameters: ["Ana"] })).toEqual({ refused: expect.stringMatching(/takes 2 body parameter\(s\); 1 given/) });
  expect(send({ ...complete, header: { type: "image", url: "https://elsewhere.example/a17.jpg" } })).toEqual({
    refused: expect.stringMatching(/shows the media at https:\/\/cdn\.shop\.example\/parcels\/\{\{3\}\}: give a link of that form/),
  });
  expect(send({ ...complete, header: { type: "text", text: "Order A-17" } })).toEqual({ refused: expect.stringMatching(/media header: give the link/) });
  expect(send({ ...complete, header: undefined })).toEqual({ refused: expect.stringMatching(/header that takes the media link/) });
  expect(send({ ...complete, buttons: [] })).toEqual({ refused: expect.stringMatching(/button “Track it” that takes a parameter/) });
  expect(send({ ...complete, buttons: [...complete.buttons, { index: 1, subType: "quick_reply", value: "unsubscribe" }] })).toEqual({
    refused: expect.stringMatching(/no button 2 whose payload takes a parameter: Twilio fixes it in the template/),
  });
});
