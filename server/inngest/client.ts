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

interface EventToSend {
  id?: string;
  name: string;
  data: object;
}
type InProcessIntake = (events: { id?: string; name: string; data: Record<string, unknown> }[]) => Promise<unknown>;
const intake = globalThis as unknown as { parleyEventIntake?: InProcessIntake };

/**
 * Called by `npm start` (and tests, benchmarks) once the embedded executor runs in this
 * process: events then go straight into it, with the same deduplication, flow control and
 * cancelOn as a POST to its /e/ endpoint, without the HTTP round trip. Kept on globalThis
 * because Next's route handlers load their own copy of this module.
 */
export function attachEmbeddedExecutor(send: InProcessIntake): void {
  intake.parleyEventIntake = send;
}

/** Sends events outside a function run: into the embedded executor when it runs here, else through the SDK. */
export async function sendEvents(events: EventToSend | EventToSend[]): Promise<void> {
  const list = Array.isArray(events) ? events : [events];
  // The SDK sends JSON: in process, the data goes through JSON too, so both paths see the same values.
  if (intake.parleyEventIntake) await intake.parleyEventIntake(JSON.parse(JSON.stringify(list)));
  else await inngest().send(list as Parameters<Inngest["send"]>[0]);
}
