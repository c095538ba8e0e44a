// Reads the WhatsApp-shaped bodies the simulator stores (what the customer's phone sent,
// what the bot posted to the fake Graph API) into what a chat bubble shows.

export interface ChatButton {
  id: string;
  title: string;
}

export interface ChatView {
  text: string | null;
  header?: string | null;
  footer?: string | null;
  buttons: ChatButton[];
  /** A short note for message types the simulator does not draw. */
  note?: string;
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

export function viewMessage(body: unknown): ChatView {
  const message = obj(body);
  const type = str(message.type);
  if (type === "text") return { text: str(obj(message.text).body), buttons: [] };
  if (type === "interactive") {
    const interactive = obj(message.interactive);
    const kind = str(interactive.type);
    if (kind === "button_reply") return { text: str(obj(interactive.button_reply).title), buttons: [] };
    if (kind === "list_reply") return { text: str(obj(interactive.list_reply).title), buttons: [] };
    const action = obj(interactive.action);
    const buttons: ChatButton[] = [];
    for (const raw of Array.isArray(action.buttons) ? action.buttons : []) {
      const reply = obj(obj(raw).reply);
      const id = str(reply.id);
      const title = str(reply.title);
      if (id && title) buttons.push({ id, title });
    }
    for (const section of Array.isArray(action.sections) ? action.sections : []) {
      for (const row of Array.isArray(obj(section).rows) ? (obj(section).rows as unknown[]) : []) {
        const id = str(obj(row).id);
        const title = str(obj(row).title);
        if (id && title) buttons.push({ id, title });
      }
    }
    const header = obj(interactive.header);
    return { text: str(obj(interactive.body).text), header: str(header.text), footer: str(obj(interactive.footer).text), buttons };
  }
  if (type === "template") return { text: null, buttons: [], note: `Template “${str(obj(message.template).name) ?? "?"}”` };
  const media = type ? obj(message[type]) : {};
  return { text: str(media.caption), buttons: [], note: type ? `${type} message` : "message" };
}
