import { z } from "zod";
import { defineNode } from "../../define-node";
import { classifyConfig, UNKNOWN, type ClassifyConfig } from "./config";
import { classificationSchema, classifyText } from "./decide";

export default defineNode<ClassifyConfig>({
  type: "classify",
  version: 1,
  title: "Classify intent",
  description:
    "Sends the message down one output per intent (order status, returns, opening hours…). A local classifier trained on your examples answers at once; when it is unsure, the language model decides.",
  category: "ai",
  icon: "🧭",
  config: classifyConfig,
  outputs: classificationSchema.extend({
    text: z.string().describe("The text classified."),
    threshold: z.number().describe("The confidence from which the local classifier decided alone."),
  }),
  defaultConfig: {
    intents: [
      {
        name: "order_status",
        description: "The customer asks where their order is or when it arrives.",
        examples: ["where is my order", "dónde está mi pedido", "cadê meu pedido", "has my package shipped yet?"],
      },
      {
        name: "human",
        description: "The customer wants to talk to a person.",
        examples: ["I want to talk to a person", "quiero hablar con un humano", "quero falar com um atendente", "agent please"],
      },
    ],
    text: "{{message.text}}",
    threshold: 0.5,
    fallbackThreshold: 0.3,
    model: "",
  },
  ports: (c) => [...c.intents.map((intent) => ({ id: intent.name, label: intent.name })), { id: UNKNOWN, label: UNKNOWN }],
  summary: (c) => `${c.intents.map((intent) => intent.name).join(", ")} or ${UNKNOWN}${c.variable ? ` → {{vars.${c.variable}}}` : ""}`,
  templateFields: ["text"],
  setsVariables: (c) => (c.variable ? [c.variable] : []),
  // Examples can run to thousands of lines: traces show how many there were.
  traceConfig: (c) => ({ ...c, intents: c.intents.map((intent) => ({ name: intent.name, description: intent.description, examples: intent.examples.length })) }),
  async run(context) {
    const { config: c } = context;
    const text = context.render(c.text);
    const classification = await classifyText(c, text, (request) => context.models.chat(request));
    if (c.variable) context.setVar(c.variable, classification.intent);
    return { port: classification.intent, output: { text, threshold: c.threshold, ...classification } };
  },
});
