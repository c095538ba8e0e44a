import type { FlowGraph } from "../schema";

/** The flow every new install starts with: greets any first message, asks a name, uses it. */
export const demoFlow: { name: string; graph: FlowGraph } = {
  name: "Welcome (demo)",
  graph: {
    nodes: [
      { id: "start", type: "trigger", version: 1, label: "Any message", config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } },
      {
        id: "greet",
        type: "reply",
        version: 1,
        label: "Greeting",
        config: { text: "Hi {{contact.name | default: 'there'}}! I'm Parley's demo bot." },
        position: { x: 0, y: 140 },
      },
      {
        id: "ask_name",
        type: "ask",
        version: 1,
        label: "Ask the name",
        config: { question: "What should I call you?", variable: "name", timeout: "24h" },
        position: { x: 0, y: 280 },
      },
      {
        id: "thanks",
        type: "reply",
        version: 1,
        label: "Thanks",
        config: { text: "Nice to meet you, {{vars.name}}! Write again any time to start over." },
        position: { x: 0, y: 420 },
      },
    ],
    edges: [
      { id: "start-greet", from: "start", port: "next", to: "greet" },
      { id: "greet-ask_name", from: "greet", port: "next", to: "ask_name" },
      { id: "ask_name-thanks", from: "ask_name", port: "next", to: "thanks" },
    ],
  },
};
