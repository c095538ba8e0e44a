import type { FlowGraph } from "../schema";

const at = (x: number, y: number) => ({ x, y });

/**
 * Every evening, reminds a list of contacts of tomorrow's appointment with an approved
 * template (WhatsApp refuses free-form messages to people who have not written in 24 hours),
 * then handles the answer to its quick-reply buttons.
 */
export const appointmentReminderFlow: { name: string; graph: FlowGraph } = {
  name: "Appointment reminder",
  graph: {
    nodes: [
      {
        id: "start",
        type: "schedule",
        version: 1,
        label: "Every evening",
        config: { cron: "0 18 * * *", timezone: "Europe/Madrid", audience: "list", phones: ["34600000001"] },
        position: at(0, 0),
      },
      {
        id: "reminder",
        type: "reply",
        version: 1,
        label: "Reminder template",
        config: { kind: "template", templateName: "appointment_reminder", language: "en", parameters: ["{{contact.name | default: 'there'}}"] },
        position: at(0, 150),
      },
      {
        id: "answer",
        type: "ask",
        version: 1,
        label: "Confirm or cancel",
        config: {
          question: "",
          variable: "reminder_answer",
          timeout: "12h",
          kind: "choice",
          choices: [
            { id: "confirm", title: "Confirm" },
            { id: "cancel", title: "Cancel" },
          ],
          retryMessage: "Please tap Confirm or Cancel.",
          maxAttempts: 2,
        },
        position: at(0, 300),
      },
      { id: "confirmed", type: "reply", version: 1, label: "Confirmed", config: { text: "Great, see you tomorrow! 👋" }, position: at(-250, 470) },
      {
        id: "cancelled",
        type: "reply",
        version: 1,
        label: "Cancelled",
        config: { text: "Your appointment is cancelled. Write “book” whenever you would like a new one." },
        position: at(0, 470),
      },
      {
        id: "to_team",
        type: "handoff",
        version: 1,
        label: "To the team",
        config: { message: "Someone from our team will get back to you here.", reason: "Unclear answer to the appointment reminder" },
        position: at(250, 470),
      },
    ],
    edges: [
      { id: "e1", from: "start", port: "next", to: "reminder" },
      { id: "e2", from: "reminder", port: "next", to: "answer" },
      { id: "e3", from: "answer", port: "confirm", to: "confirmed" },
      { id: "e4", from: "answer", port: "cancel", to: "cancelled" },
      { id: "e5", from: "answer", port: "invalid", to: "to_team" },
    ],
  },
};
