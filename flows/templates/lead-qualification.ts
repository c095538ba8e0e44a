import type { FlowGraph } from "../schema";

const at = (x: number, y: number) => ({ x, y });

/**
 * Qualifies a sales lead: asks who they are, how big the team is and what they want, then
 * classifies the need — a large team ready to buy goes straight to a salesperson, others get
 * the pricing page or a demo link, existing customers are pointed to support.
 */
export const leadQualificationFlow: { name: string; graph: FlowGraph } = {
  name: "Lead qualification",
  graph: {
    nodes: [
      {
        id: "start",
        type: "trigger",
        version: 1,
        label: "Sales keywords",
        config: { match: "keywords", keywords: ["pricing", "price", "quote", "demo", "plans", "precio", "presupuesto", "preço"], priority: 1 },
        position: at(0, 0),
      },
      { id: "name", type: "ask", version: 1, label: "Name", config: { question: "Happy to help! What's your name?", variable: "name", timeout: "1h" }, position: at(0, 140) },
      {
        id: "company",
        type: "ask",
        version: 1,
        label: "Company",
        config: { question: "Thanks {{vars.name}}! Which company are you with?", variable: "company", timeout: "1h" },
        position: at(0, 280),
      },
      {
        id: "size",
        type: "ask",
        version: 1,
        label: "Team size",
        config: {
          question: "How many people would use it?",
          variable: "team_size",
          timeout: "1h",
          kind: "choice",
          choices: [
            { id: "small", title: "1–10" },
            { id: "medium", title: "11–50" },
            { id: "large", title: "More than 50" },
          ],
          maxAttempts: 2,
        },
        position: at(0, 420),
      },
      {
        id: "need",
        type: "ask",
        version: 1,
        label: "Need",
        config: { question: "Last one: what would you like to achieve with us?", variable: "need", timeout: "1h", kind: "text", minLength: 3 },
        position: at(0, 560),
      },
      {
        id: "intent",
        type: "classify",
        version: 1,
        label: "What they want",
        config: {
          text: "{{vars.need}}",
          variable: "lead_intent",
          threshold: 0.5,
          fallbackThreshold: 0.3,
          model: "",
          intents: [
            {
              name: "buy",
              description: "Ready to buy or asking for a price, a quote or a contract.",
              examples: ["we want to buy licenses", "send me a quote", "how much for 80 seats", "we need a contract this month", "queremos comprar", "precio para mi equipo", "quanto custa para a empresa"],
            },
            {
              name: "evaluate",
              description: "Exploring or comparing, wants a demo or a trial.",
              examples: ["just looking around", "we are comparing tools", "can I see a demo", "is there a free trial", "quiero ver una demo", "estamos avaliando opções"],
            },
            {
              name: "support",
              description: "Already a customer with a problem or a question about their account.",
              examples: ["my account is not working", "I have a problem with my invoice", "I already pay and something broke", "tengo un problema con mi cuenta", "não consigo entrar"],
            },
          ],
        },
        position: at(0, 700),
      },
      {
        id: "big",
        type: "condition",
        version: 1,
        label: "Large team?",
        config: { branches: [{ id: "large", label: "more than 50", when: 'vars.team_size == "large"' }] },
        position: at(-300, 860),
      },
      {
        id: "sales",
        type: "handoff",
        version: 1,
        label: "To sales",
        config: { message: "Great, {{vars.name}}: a salesperson will write to you here within the hour.", reason: "Hot lead: {{vars.company}}, more than 50 people, ready to buy" },
        position: at(-450, 1000),
      },
      {
        id: "pricing",
        type: "reply",
        version: 1,
        label: "Pricing page",
        config: { text: "Here are our plans and prices, {{vars.name}}: https://example.com/pricing. Reply “quote” if you'd like a tailored offer for {{vars.company}}." },
        position: at(-150, 1000),
      },
      {
        id: "demo",
        type: "reply",
        version: 1,
        label: "Demo link",
        config: { text: "Book a 20-minute demo whenever suits you: https://example.com/demo. We'll show you how {{vars.company}} could use it." },
        position: at(100, 860),
      },
      {
        id: "support",
        type: "reply",
        version: 1,
        label: "Support",
        config: { text: "It sounds like you're already a customer: write “help” and our support team will take it from there." },
        position: at(330, 860),
      },
      {
        id: "other",
        type: "reply",
        version: 1,
        label: "Anything else",
        config: { text: "Thanks {{vars.name}}! Someone from our team will follow up with you shortly." },
        position: at(560, 860),
      },
    ],
    edges: [
      { id: "e1", from: "start", port: "next", to: "name" },
      { id: "e2", from: "name", port: "next", to: "company" },
      { id: "e3", from: "company", port: "next", to: "size" },
      { id: "e4s", from: "size", port: "small", to: "need" },
      { id: "e4m", from: "size", port: "medium", to: "need" },
      { id: "e4l", from: "size", port: "large", to: "need" },
      { id: "e4i", from: "size", port: "invalid", to: "need" },
      { id: "e5", from: "need", port: "next", to: "intent" },
      { id: "e5i", from: "need", port: "invalid", to: "other" },
      { id: "e6", from: "intent", port: "buy", to: "big" },
      { id: "e7", from: "big", port: "large", to: "sales" },
      { id: "e8", from: "big", port: "else", to: "pricing" },
      { id: "e9", from: "intent", port: "evaluate", to: "demo" },
      { id: "e10", from: "intent", port: "support", to: "support" },
      { id: "e11", from: "intent", port: "unknown", to: "other" },
    ],
  },
};
