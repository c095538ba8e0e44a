// Flows offered by "New flow from template". Each is an ordinary flow document; the
// tests in templates.test.ts run every one through the validator and a scripted chat.
import type { FlowGraph } from "../schema";
import { appointmentReminderFlow } from "./appointment-reminder";
import { demoFlow } from "./demo";
import { faqFlow } from "./faq";
import { leadQualificationFlow } from "./lead-qualification";
import { menuFlow } from "./menu";
import { orderStatusFlow } from "./order-status";

export interface FlowTemplate {
  id: string;
  name: string;
  description: string;
  graph: FlowGraph;
}

export const flowTemplates: FlowTemplate[] = [
  {
    id: "blank",
    name: "Blank",
    description: "Just a trigger: build the conversation yourself.",
    graph: {
      nodes: [{ id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } }],
      edges: [],
    },
  },
  { id: "welcome", name: "Welcome", description: "Greets, asks the contact's name and uses it.", graph: demoFlow.graph },
  { id: "menu", name: "Numbered menu", description: "Offers options by number and asks again until the choice is valid.", graph: menuFlow.graph },
  {
    id: "order-status",
    name: "Order status (HTTP lookup)",
    description: "Asks for an order number, looks it up in your shop's API and answers with the status. Set your API's URL in the “Look up” node.",
    graph: orderStatusFlow.graph,
  },
  {
    id: "faq",
    name: "FAQ from your documents (lookup + AI)",
    description:
      "Answers any question from the documents you upload to the “faq” collection (Settings → Knowledge), with the language model set up in Settings → Models; without one, a colleague takes over.",
    graph: faqFlow.graph,
  },
  {
    id: "lead-qualification",
    name: "Lead qualification (classify)",
    description:
      "On “pricing”, “quote” or “demo”, asks name, company, team size and need, classifies the need, and sends large teams ready to buy to a salesperson; others get the pricing page or a demo link.",
    graph: leadQualificationFlow.graph,
  },
  {
    id: "appointment-reminder",
    name: "Appointment reminder (schedule)",
    description:
      "Every evening at 18:00, sends your approved “appointment_reminder” template with Confirm / Cancel buttons to a list of numbers and handles the answer. Set the numbers and the time in the first node.",
    graph: appointmentReminderFlow.graph,
  },
];

export function flowTemplate(id: string): FlowTemplate | undefined {
  return flowTemplates.find((template) => template.id === id);
}
