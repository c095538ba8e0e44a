// Reads the WhatsApp-shaped bodies the simulator stores (what the customer's phone sent,
// what the bot posted to the fake Graph API) into what a chat bubble shows.

export interface ChatButton {
  /** A reply button, a list row or a template's quick reply: the customer's answer is a button_reply, a list_reply or a template button. */
  kind: "button" | "list" | "template";
  id: string;
  title: string;
}

export interface ChatView {
  text: string | null;
  header?: string | null;
  footer?: string | null;
  buttons: ChatButton[];
  /** A short note for what a bubble cannot draw: a template's name, a place, a list's button. */
  note?: string;
  /** Media sent by link: the simulator shows the link rather than downloading it. */
  link?: { url: string; label: string };
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

export function viewMessage(body: unknown): ChatView {
  const message = obj(body);
  const type = str(message.type);
  if (type === "text") return { text: str(obj(message.text).body), buttons: [] };
  if (type === "button") return { text: str(obj(message.button).text), buttons: [] };
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
      if (id && title) buttons.push({ kind: "button", id, title });
    }
    for (const section of Array.isArray(action.sections) ? action.sections : []) {
      for (const row of Array.isArray(obj(section).rows) ? (obj(section).rows as unknown[]) : []) {
        const id = str(obj(row).id);
        const title = str(obj(row).title);
        if (id && title) buttons.push({ kind: "list", id, title });
      }
    }
    const header = obj(interactive.header);
    const listButton = kind === "list" ? str(action.button) : null;
    return {
      text: str(obj(interactive.body).text),
      header: str(header.text),
      footer: str(obj(interactive.footer).text),
      buttons,
      ...(listButton ? { note: `☰ ${listButton}` } : {}),
    };
  }
  if (type === "template") {
    // The simulator adds what the template says; other bodies only name it.
    const rendered = obj(message.rendered);
    if (str(rendered.text) !== null) {
      const titles = (Array.isArray(rendered.buttons) ? rendered.buttons : []).map(str).filter((title): title is string => title !== null);
      const headerLink = str(rendered.headerLink);
      return {
        text: str(rendered.text),
        header: str(rendered.header),
        ...(headerLink && /^https?:\/\//i.test(headerLink) ? { link: { url: headerLink, label: "🖼 Header media" } } : {}),
        footer: str(rendered.footer),
        buttons: titles.map((title) => ({ kind: "template", id: title, title })),
      };
    }
    const template = obj(message.template);
    const parameters = (Array.isArray(template.components) ? template.components : [])
      .flatMap((component) => (Array.isArray(obj(component).parameters) ? (obj(component).parameters as unknown[]) : []))
      .map((parameter) => str(obj(parameter).text))
      .filter((text): text is string => text !== null);
    const language = str(obj(template.language).code);
    return {
      text: null,
      buttons: [],
      note: `Template “${str(template.name) ?? "?"}”${language ? ` (${language})` : ""}${parameters.length > 0 ? `: ${parameters.join(", ")}` : ""}`,
    };
  }
  if (type === "location") {
    const location = obj(message.location);
    const place = [str(location.name), str(location.address)].filter(Boolean).join(", ");
    const at = `${String(location.latitude ?? "?")}, ${String(location.longitude ?? "?")}`;
    return { text: null, buttons: [], note: `📍 ${place ? `${place} (${at})` : at}` };
  }
  const media = type ? obj(message[type]) : {};
  const url = str(media.link);
  const label = MEDIA_LABELS[type ?? ""];
  const filename = str(media.filename);
  // Only web links become anchors: the body is whatever was posted to the fake Graph API.
  if (url && label && /^https?:\/\//i.test(url)) {
    return { text: str(media.caption), buttons: [], link: { url, label: filename ? `📄 ${filename}` : label } };
  }
  // Media by id (what a customer sends): the phone names it rather than fetching it.
  const named = label ? (filename ? `📄 ${filename}` : label) : null;
  return { text: str(media.caption), buttons: [], note: named ?? (type ? `${type} message` : "message") };
}

const MEDIA_LABELS: Record<string, string> = { image: "🖼 Image", video: "🎬 Video", audio: "🔊 Audio", document: "📄 Document" };
