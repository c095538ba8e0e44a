import type { FlowGraph } from "../schema";

const at = (x: number, y: number) => ({ x, y });

/** A numbered menu that re-asks until the choice is valid. */
export const menuFlow: { name: string; graph: FlowGraph } = {
  name: "Menu",
  graph: {
    nodes: [
      { id: "start", type: "trigger", version: 1, label: "“menu”", config: { match: "keywords", keywords: ["menu"] }, position: at(0, 0) },
      {
        id: "ask_choice",
        type: "ask",
        version: 1,
        label: "Menu",
        config: { question: "How can I help? Reply 1 for opening hours, 2 for our address.", variable: "choice", timeout: "1h" },
        position: at(0, 150),
      },
      {
        id: "route",
        type: "condition",
        version: 1,
        label: "Which option?",
        config: {
          branches: [
            { id: "hours", label: "1 · hours", when: 'vars.choice.matches(r"^\\s*1\\s*$")' },
            { id: "address", label: "2 · address", when: 'vars.choice.matches(r"^\\s*2\\s*$")' },
          ],
        },
        position: at(0, 300),
      },
      { id: "hours", type: "reply", version: 1, label: "Hours", config: { text: "We are open Monday to Friday, 9:00–18:00." }, position: at(-320, 470) },
      { id: "address", type: "reply", version: 1, label: "Address", config: { text: "You will find us at Calle Mayor 1, Madrid." }, position: at(0, 470) },
      { id: "retry", type: "reply", version: 1, label: "Not an option", config: { text: "Sorry, “{{vars.choice}}” is not on the menu." }, position: at(320, 470) },
      { id: "back", type: "goto", version: 1, label: "Ask again", config: { target: "ask_choice" }, position: at(320, 620) },
    ],
    edges: [
      { id: "e1", from: "start", port: "next", to: "ask_choice" },
      { id: "e2", from: "ask_choice", port: "next", to: "route" },
      { id: "e3", from: "route", port: "hours", to: "hours" },
      { id: "e4", from: "route", port: "address", to: "address" },
      { id: "e5", from: "route", port: "else", to: "retry" },
      { id: "e6", from: "retry", port: "next", to: "back" },
    ],
  },
};
