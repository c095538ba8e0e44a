import { describe, expect, test } from "vitest";
import { formFields } from "@/components/inspector/schema-fields";
import type { NodeDefinition } from "../../define-node";
import type { FlowGraph } from "../../schema";
import { runScripted, singleNodeFlow } from "../../testing";
import { validateFlow } from "../../validator";
import reply from ".";

const replyNode = reply as unknown as NodeDefinition<never>;
const run = (config: Record<string, unknown>) => runScripted(singleNodeFlow(replyNode, config), "hi", [], { contact: { name: "Ana" } });
const errorsOf = (config: Record<string, unknown>) =>
  validateFlow(singleNodeFlow(replyNode, config))
    .filter((d) => d.severity === "error" && d.nodeId === "node")
    .map((d) => d.message);

const buttons = (...titles: string[]) => titles.map((title, i) => ({ id: `b${i + 1}`, title }));

describe("reply node", () => {
  test("a reply saved before kinds existed ({ text }) still parses, validates and sends the same text", async () => {
    const saved: FlowGraph = {
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } },
        { id: "greet", type: "reply", version: 1, config: { text: "Hello {{contact.name}}!" }, position: { x: 0, y: 100 } },
      ],
      edges: [{ id: "e1", from: "start", port: "next", to: "greet" }],
    };
    expect(validateFlow(saved)).toEqual([]);
    const result = await runScripted(saved, "hi");
    expect(result.status).toBe("completed");
    expect(result.sent).toEqual([{ type: "text", text: "Hello Ana!" }]);
    expect(result.traces.find((t) => t.nodeId === "greet")?.output).toMatchObject({ text: "Hello Ana!", messageId: "out1" });
    expect(result.sleptMs).toBe(0);
  });

  test("text with a link preview", async () => {
    const result = await run({ kind: "text", text: "Menu: https://example.com/menu", previewUrl: true });
    expect(result.sent).toEqual([{ type: "text", text: "Menu: https://example.com/menu", previewUrl: true }]);
  });

  test("media by link: the text is the caption; documents keep their file name; audio has none", async () => {
    expect((await run({ kind: "image", mediaUrl: "https://cdn.example.com/{{contact.name | lower}}.jpg", text: "For {{contact.name}}" })).sent).toEqual([
      { type: "image", url: "https://cdn.example.com/ana.jpg", caption: "For Ana" },
    ]);
    expect((await run({ kind: "document", mediaUrl: "https://cdn.example.com/i.pdf", filename: "invoice.pdf" })).sent).toEqual([
      { type: "document", url: "https://cdn.example.com/i.pdf", filename: "invoice.pdf" },
    ]);
    expect((await run({ kind: "audio", mediaUrl: "https://cdn.example.com/hello.ogg" })).sent).toEqual([{ type: "audio", url: "https://cdn.example.com/hello.ogg" }]);
  });

  test("buttons, with every text rendered and empty optional texts left out", async () => {
    const result = await run({ kind: "buttons", text: "Hi {{contact.name}}, did it arrive?", header: "Order", footer: "{{vars.none}}", buttons: buttons("Yes", "No {{contact.name}}") });
    expect(result.sent).toEqual([
      { type: "buttons", body: "Hi Ana, did it arrive?", header: "Order", buttons: [{ id: "b1", title: "Yes" }, { id: "b2", title: "No Ana" }] },
    ]);
  });

  test("a list, with “Choose” as the button label when none is given", async () => {
    const result = await run({
      kind: "list",
      text: "Pick a time",
      sections: [{ title: "Morning", rows: [{ id: "9", title: "9:00", description: "Early" }] }, { title: "Afternoon", rows: [{ id: "15", title: "15:00" }] }],
    });
    expect(result.sent).toEqual([
      {
        type: "list",
        body: "Pick a time",
        button: "Choose",
        sections: [
          { title: "Morning", rows: [{ id: "9", title: "9:00", description: "Early" }] },
          { title: "Afternoon", rows: [{ id: "15", title: "15:00" }] },
        ],
      },
    ]);
  });

  test("location and template", async () => {
    expect((await run({ kind: "location", latitude: 40.4, longitude: -3.7, locationName: "Shop", address: "Main St 1" })).sent).toEqual([
      { type: "location", latitude: 40.4, longitude: -3.7, name: "Shop", address: "Main St 1" },
    ]);
    expect((await run({ kind: "template", templateName: "order_update", language: "en_US", parameters: ["{{contact.name}}", "42"] })).sent).toEqual([
      { type: "template", name: "order_update", language: "en_US", bodyParameters: ["Ana", "42"] },
    ]);
  });

  test("media by uploaded id instead of a link", async () => {
    expect((await run({ kind: "image", mediaId: "1234567890", text: "Your invoice" })).sent).toEqual([{ type: "image", mediaId: "1234567890", caption: "Your invoice" }]);
    expect(errorsOf({ kind: "document" })).toEqual(["mediaUrl: give the public link of the document to send, or an uploaded media id"]);
  });

  test("a reaction goes on the message being answered", async () => {
    const result = await run({ kind: "reaction", emoji: "👍" });
    expect(result.sent).toEqual([{ type: "reaction", messageId: expect.any(String), emoji: "👍" }]);
    expect((result.sent[0] as { messageId: string }).messageId).not.toBe("");
    expect(errorsOf({ kind: "reaction" })).toEqual(["emoji: choose the emoji to react with"]);
  });

  test("a template's header and button parameters are filled from the conversation", async () => {
    const sent = await run({
      kind: "template",
      templateName: "order_shipped",
      language: "en_US",
      parameters: ["{{contact.name}}"],
      headerFormat: "image",
      headerParameter: "https://cdn.example.com/parcels/{{contact.name}}.jpg",
      buttonParameters: [{ index: 0, subType: "url", value: "order-{{contact.name}}" }],
    });
    expect(sent.sent).toEqual([
      {
        type: "template",
        name: "order_shipped",
        language: "en_US",
        bodyParameters: ["Ana"],
        header: { type: "image", url: "https://cdn.example.com/parcels/Ana.jpg" },
        buttons: [{ index: 0, subType: "url", value: "order-Ana" }],
      },
    ]);
  });

  test("pauseBefore sleeps durably before sending, to pace bubbles in a row", async () => {
    const result = await run({ text: "Second bubble", pauseBefore: "3s" });
    expect(result.sleptMs).toBe(3000);
    expect(result.sent).toHaveLength(1);
  });

  test("a variable that renders a title too long fails the node with the reason, instead of a send WhatsApp refuses", async () => {
    const result = await runScripted(singleNodeFlow(replyNode, { kind: "buttons", text: "Pick", buttons: buttons("{{message.text}}") }), "x".repeat(25));
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/buttons\.0\.title: button titles hold at most 20 characters/);
    expect(result.sent).toEqual([]);
  });
});

describe("reply node: WhatsApp's limits are canvas diagnostics naming the field", () => {
  test("4 buttons", () => {
    expect(errorsOf({ kind: "buttons", text: "Pick", buttons: buttons("A", "B", "C", "D") })).toEqual([
      "buttons: A reply can have at most 3 buttons: WhatsApp refuses more. Use a list for up to 10 options.",
    ]);
  });

  test("a button title of 21 characters (a template counts its fixed text only)", () => {
    expect(errorsOf({ kind: "buttons", text: "Pick", buttons: buttons("x".repeat(21)) })).toEqual([
      "buttons.0.title: Button titles hold at most 20 characters (WhatsApp's limit).",
    ]);
    expect(errorsOf({ kind: "buttons", text: "Pick", buttons: buttons("Hi {{contact.name | default: 'friend'}}") })).toEqual([]);
  });

  test("duplicate button titles, ignoring case", () => {
    expect(errorsOf({ kind: "buttons", text: "Pick", buttons: buttons("Yes", "yes") })).toEqual([
      "buttons.1.title: Two buttons are titled “yes”: WhatsApp needs each title to differ.",
    ]);
  });

  test("11 list rows in all", () => {
    const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${from + i}`, title: `Row ${from + i}` }));
    expect(errorsOf({ kind: "list", text: "Pick", sections: [{ title: "A", rows: rows(0, 6) }, { title: "B", rows: rows(6, 5) }] })).toEqual([
      "sections: A list can have at most 10 rows in all its sections (it has 11): WhatsApp refuses more.",
    ]);
  });

  test("row titles over 24, descriptions over 72, repeated row ids, untitled sections among several", () => {
    expect(
      errorsOf({
        kind: "list",
        text: "Pick",
        sections: [{ title: "A", rows: [{ id: "r", title: "y".repeat(25), description: "d".repeat(73) }] }, { rows: [{ id: "r", title: "Other" }] }],
      }),
    ).toEqual([
      "sections.0.rows.0.title: List row titles hold at most 24 characters (WhatsApp's limit).",
      "sections.0.rows.0.description: Row descriptions hold at most 72 characters (WhatsApp's limit).",
      "sections.1.rows.0.id: Two list rows have the id “r”: each needs its own.",
      "sections.1.title: With several sections, each needs a title (WhatsApp's rule).",
    ]);
  });

  test("a body of 1025 characters above buttons (a text message may hold 4096)", () => {
    expect(errorsOf({ kind: "buttons", text: "x".repeat(1025), buttons: buttons("OK") })).toEqual([
      "text: Above buttons the text holds at most 1024 characters (WhatsApp's limit).",
    ]);
    expect(errorsOf({ kind: "text", text: "x".repeat(1025) })).toEqual([]);
  });

  test("a text over 4096 characters", () => {
    expect(errorsOf({ text: "x".repeat(4097) })).toEqual(["text: WhatsApp texts hold at most 4096 characters."]);
  });

  test("the inspector still draws the form: a kind selector, and the text as a plain (not optional) textarea", () => {
    const fields = formFields(reply.config);
    expect(fields.find((f) => f.key === "kind")).toMatchObject({ required: false, defaultValue: "text", spec: { kind: "enum", options: expect.arrayContaining(["text", "buttons", "list"]) } });
    expect(fields.find((f) => f.key === "text")).toMatchObject({ label: "Text", required: true, spec: { kind: "text", multiline: true } });
  });

  test("what each kind needs", () => {
    expect(errorsOf({ text: "" })).toEqual(["text: write the message to send"]);
    expect(errorsOf({ kind: "image" })).toEqual(["mediaUrl: give the public link of the image to send, or an uploaded media id"]);
    expect(errorsOf({ kind: "image", mediaUrl: "menu.pdf" })).toEqual(["mediaUrl: a public http(s) link WhatsApp can download, such as https://example.com/menu.pdf"]);
    expect(errorsOf({ kind: "audio", mediaUrl: "https://a.example/x.ogg", text: "Listen" })).toEqual([
      "text: WhatsApp sends audio without a caption: leave the text empty or send it as its own message.",
    ]);
    expect(errorsOf({ kind: "buttons", text: "Pick" })).toEqual(["buttons: add 1 to 3 buttons, each { id, title }"]);
    expect(errorsOf({ kind: "location", latitude: 1 })).toEqual(["longitude: give the longitude (-180 to 180)"]);
    expect(errorsOf({ kind: "template", templateName: "Order Update", language: "en_US" })).toEqual([
      "templateName: the template's name as approved in WhatsApp Manager: lowercase letters, digits and '_'",
    ]);
    expect(errorsOf({ kind: "template", templateName: "order_shipped", language: "en_US", headerFormat: "video" })).toEqual(["headerParameter: give the link to the header's video"]);
    expect(errorsOf({ text: "Hi", pauseBefore: "2 seconds" })).toEqual(['pauseBefore: a short pause such as "2s" or "1m"']);
  });

  test("templates inside buttons and list rows are checked too", () => {
    expect(errorsOf({ kind: "buttons", text: "Pick", buttons: buttons("{{customer.name}}") })).toEqual(["buttons: unknown variable {{customer.name}}"]);
  });

  describe("outside the 24-hour window", () => {
    const at = { x: 0, y: 0 };
    const withFallback = (connected: boolean): FlowGraph => ({
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: at },
        { id: "news", type: "reply", version: 1, config: { text: "Our sale starts today!" }, position: at },
        { id: "template", type: "reply", version: 1, config: { kind: "template", templateName: "sale_started", language: "en" }, position: at },
        { id: "after", type: "reply", version: 1, config: { text: "Anything else?" }, position: at },
      ],
      edges: [
        { id: "e1", from: "start", port: "next", to: "news" },
        { id: "e2", from: "news", port: "next", to: "after" },
        ...(connected ? [{ id: "e3", from: "news", port: "window_closed", to: "template" }] : []),
      ],
    });

    test("a free-form reply sends nothing and continues at its “window closed” output, where a template goes out", async () => {
      const run = await runScripted(withFallback(true), null, [], { windowClosed: true });
      expect(run.sent).toEqual([{ type: "template", name: "sale_started", language: "en", bodyParameters: [] }]);
      expect(run.status).toBe("completed");
      const news = run.traces.find((t) => t.nodeId === "news");
      expect(news).toMatchObject({ port: "window_closed", error: { name: "WindowClosedError" } });
    });

    test("with the output unconnected the node fails and says why, and nothing after it runs", async () => {
      const run = await runScripted(withFallback(false), null, [], { windowClosed: true });
      expect(run.sent).toEqual([]);
      expect(run.status).toBe("failed");
      expect(run.error).toMatch(/24-hour window is closed/);
    });

    test("only free-form replies offer the output: a template is always allowed", () => {
      expect(reply.ports(reply.config.parse({ text: "Hi" })).map((p) => p.id)).toEqual(["next", "window_closed"]);
      expect(reply.ports(reply.config.parse({ kind: "template", templateName: "sale_started", language: "en" })).map((p) => p.id)).toEqual(["next"]);
    });
  });
});
