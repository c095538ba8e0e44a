// The one Inngest client. Which executor it talks to is chosen by the SDK's standard
// environment variables only (DESIGN.md section 3): `npm start` points them at the embedded
// executor unless INNGEST_BASE_URL / INNGEST_DEV name a real Inngest server.
import { Inngest } from "inngest";
import { log } from "@/server/observability/log";

const holder = globalThis as unknown as { parleyInngest?: Inngest };

export function inngest(): Inngest {
  // Function logs (ctx.logger) go to Parley's structured, redacting logger.
  holder.parleyInngest ??= new Inngest({ id: "parley", logger: log().child({ component: "functions" }) });
  return holder.parleyInngest;
}

export const MESSAGE_RECEIVED_EVENT = "whatsapp/message.received";

export interface MessageReceivedData {
  messageId: string;
  conversationId: string;
}

/** Asks for a run of a flow in a conversation without a message (a schedule tick, an API event). */
export const RUN_REQUESTED_EVENT = "parley/run.requested";
