// The one contract between a node type's folder and the rest of Parley. The palette,
// inspector, validator and compiler read these definitions; none of them names a type.
import type { z } from "zod";
import type { ContactInfo, InboundMessage, OutboundMessage } from "./message";
import type { ChatRequest, ChatResult, ConversationSummary, HistoryEntry, SummaryRead } from "./models";
import type { OutboundFetch } from "./http/outbound";
import type { KnowledgeSearchOutcome, KnowledgeSearchRequest, TableSearchOutcome, TableSearchRequest } from "./knowledge";

export type NodeCategory = "trigger" | "message" | "logic" | "ai" | "data";

export interface PortDefinition {
  id: string;
  label: string;
  /** Taken when something went wrong: left unconnected, the run ends there without a word to the contact. */
  failure?: boolean;
}

export interface NodeContext<Config> {
  config: Config;
  node: { id: string; label?: string };
  contact: ContactInfo;
  /** The latest message the run received (the trigger message, then each answer). */
  message: InboundMessage | null;
  /** What started the run: a message, a schedule tick or an API event, with its data (`{{trigger.data.…}}`). */
  trigger: RunTrigger;
  vars: Readonly<Record<string, unknown>>;
  /** Outputs of the nodes executed so far, by node id (also `{{nodes.<id>.…}}` in templates). */
  nodes: Readonly<Record<string, Record<string, unknown>>>;
  /** Renders a `{{…}}` template against contact, message, vars and earlier nodes' outputs. */
  render(template: string): string;
  setVar(name: string, value: unknown): void;
  /**
   * Sends a message to the contact, exactly once however often the run is replayed. Throws
   * WindowClosedError, sending nothing, for a free-form message outside the 24-hour window.
   */
  send(message: OutboundMessage): Promise<{ messageId: string }>;
  /**
   * Waits for the contact's next message, durably: the run sleeps until it arrives or the
   * timeout ("30m", "24h", "7d") passes, then resolves to it or to null.
   */
  waitForReply(options: { timeout: string }): Promise<InboundMessage | null>;
  /** Pauses the run durably ("30s", "2h", "1d"): it survives restarts and costs nothing while asleep. */
  sleep(duration: string): Promise<void>;
  /**
   * Runs a side effect exactly once per node execution (an HTTP call, a lookup) and returns
   * its result, memoized for replays. `name` must be unique within the node's run; the
   * result must be JSON. A throw is retried with the flow's retries, then fails the node.
   */
  step<T>(name: string, body: () => Promise<T>): Promise<T>;
  /**
   * Hands the conversation to a person: the bot starts no run for it until an admin hands
   * it back. The run should end after this.
   */
  handOff(reason: string): Promise<void>;
  /**
   * The workspace's language models, through its provider chain (fallback, timeouts,
   * circuit breakers). Each call is a durable step recorded in the node's trace with its
   * prompt, answer, model, tokens, latency and cost. Throws ModelUnavailableError when no
   * provider can answer; the node should then take its error port.
   */
  models: { chat(request: ChatRequest): Promise<ChatResult> };
  /**
   * The conversation's last `turns` messages before the current one (each message, from the
   * contact or the bot, is one turn), oldest first: what a model needs to follow the thread.
   * A durable step: a replay reads the same messages.
   */
  history(turns: number): Promise<HistoryEntry[]>;
  /**
   * The conversation's running summary, for long conversations: `read(keep)` gives the stored
   * summary and the messages since it, split at the last `keep` (those that fell out of the
   * window are still to fold into it); `save` stores the new summary. Durable steps.
   */
  summary: { read(keep: number): Promise<SummaryRead>; save(summary: ConversationSummary): Promise<void> };
  /**
   * Other published flows of the workspace, run here the way “Run another flow” runs them:
   * inline in this run, sharing its variables, their nodes traced under this node.
   * `inputs` names the `{{trigger.data.…}}` fields a flow reads; `run` runs it with `data` as
   * its trigger data (`label` names the call in trace paths) and resolves to the variables
   * it set or changed, or to why it could not run or failed. Not memoized itself: never call
   * it inside `step` (the called flow's nodes are steps of their own).
   */
  flows: {
    inputs(flowId: string): Promise<{ ok: true; fields: string[] } | { ok: false; error: string }>;
    run(call: { flowId: string; data: Record<string, unknown>; label: string }): Promise<FlowCallOutcome>;
  };
  /**
   * Outbound HTTP under the server's SSRF policy (private addresses refused unless
   * PARLEY_HTTP_ALLOWLIST lists them). Not memoized: call it inside `step` or `cached`.
   */
  fetch: OutboundFetch;
  /** The workspace's documents (Settings → Knowledge), ranked with BM25. Not memoized: call it inside `step` or `cached`. */
  knowledge: { search(request: KnowledgeSearchRequest): Promise<KnowledgeSearchOutcome> };
  /** The workspace's CSV tables (Settings → Knowledge), searched by field and text. Not memoized: call it inside `step` or `cached`. */
  tables: { search(request: TableSearchRequest): Promise<TableSearchOutcome> };
  /**
   * Like `step`, and the result is also kept for the conversation for `ttl` ("10m"): a later
   * call of this node with the same `key` within that time, in this run or a later one,
   * returns it without running `body`. Results `keep` refuses (failures) are not kept.
   */
  cached<T>(name: string, options: { key: string; ttl: string; keep?: (value: T) => boolean }, body: () => Promise<T>): Promise<{ value: T; cached: boolean }>;
  /**
   * A secret the node type declares in `secrets` (an API key), as an admin stored it for the
   * workspace (Settings → Node secrets). Read on the server at each call, never memoized or
   * traced: keep it out of outputs and step results. Throws MissingSecretError when not set.
   */
  secret(name: string): Promise<string>;
}

/** How a flow run from a node (`ctx.flows.run`) ended: the variables it set or changed, or why it did not finish. */
export type FlowCallOutcome = { ok: true; flowVersionId: string; variables: Record<string, unknown> } | { ok: false; error: string };

export interface NodeResult {
  /** Output port to follow; "next" when omitted. */
  port?: string;
  /** What the node produced, shown in the run trace and readable as `{{nodes.<id>.…}}`. */
  output?: Record<string, unknown>;
  /** Continue at this node instead of following a port (a "go to"). */
  goto?: string;
  /**
   * Run another published flow of the workspace here, sharing this run's variables; when it
   * ends, continue at this node's "next" port (its "error" port if the flow fails).
   */
  call?: { flowId: string };
}

export interface RunTrigger {
  kind: "message" | "schedule" | "event";
  /** The event's name, for runs an API event started. */
  name?: string;
  /** An API event's payload; a schedule tick's `firedAt`. */
  data: Record<string, unknown>;
}

/** Who a scheduled flow writes to when its schedule fires. */
export type ScheduleAudience =
  | { kind: "list"; phones: string[] }
  /** Every contact who wrote to one of the flow's numbers within the last `days` days. */
  | { kind: "recent"; days: number };

/** How a flow starts; the trigger node's type says which, the server does the rest. */
export type TriggerBehaviour<Config> =
  | {
      kind: "message";
      /**
       * Whether an inbound message that starts a conversation turn should start this flow.
       * Returns a specificity (higher wins between flows on one channel) or null for no match.
       */
      match(config: Config, message: InboundMessage, situation: { firstMessage: boolean }): number | null;
    }
  | {
      kind: "schedule";
      /** A cron expression with its IANA time zone, and who to write to at each tick. */
      schedule(config: Config): { cron: string; timezone: string; audience: ScheduleAudience };
    }
  | {
      kind: "event";
      /** The event name external systems post (POST /api/events); the highest priority wins between flows. */
      event(config: Config): { name: string; priority: number };
    };

/** Event names as external systems post them (POST /api/events): "order.shipped", "appointment-booked". */
export const EVENT_NAME_PATTERN = /^[a-z0-9][a-z0-9._:-]{0,99}$/i;

/** Trigger kinds that start a run without a message from the contact, so possibly outside the 24-hour window. */
export function startsWithoutMessage(trigger: TriggerBehaviour<never>): boolean {
  return trigger.kind !== "message";
}

export interface NodeDefinition<Config = unknown> {
  type: string;
  version: number;
  title: string;
  description: string;
  category: NodeCategory;
  /** An emoji or short glyph shown in the palette and on the canvas. */
  icon: string;
  config: z.ZodType<Config>;
  /**
   * The shape of what `run` returns as `output` (a zod object): the validator checks later
   * nodes' `{{nodes.<id>.<field>}}` against it, the inspector offers its fields, and testNode
   * fails a test whose output does not match it.
   */
  outputs?: z.ZodType<Record<string, unknown>>;
  /**
   * How to bring a config saved with an older `version` up to date: `migrations[n]` turns a
   * version-n config into a version n+1 one. Flows saved before a change keep working.
   */
  migrations?: Record<number, (config: Record<string, unknown>) => Record<string, unknown>>;
  defaultConfig: Config;
  ports(config: Config): PortDefinition[];
  /** One line describing a configured node, shown on the canvas. */
  summary(config: Config): string;
  /** Config fields holding `{{…}}` templates (strings, or lists/objects of them), checked by the validator. */
  templateFields?: (keyof Config & string)[];
  /**
   * The config as run traces may show it: leave out secrets (API keys in headers…). Without
   * it the whole config is traced.
   */
  traceConfig?(config: Config): unknown;
  /** Names of the `{{vars.…}}` this node sets, so the validator can flag variables nothing sets. */
  setsVariables?(config: Config): string[];
  /** Nodes this node can continue at besides its ports (a "go to"), for reachability checks. */
  links?(config: Config): string[];
  /**
   * True when the node can wait for the contact's answer. A loop through no such node
   * could run without end, which the validator refuses.
   */
  waitsForContact?: boolean;
  /**
   * Whether the node sends a free-form message (anything but an approved template). WhatsApp
   * refuses those when the contact has not written in 24 hours, which the validator checks
   * after triggers that start without a message.
   */
  sendsFreeForm?(config: Config): boolean;
  /** Present on trigger nodes only. */
  trigger?: TriggerBehaviour<Config>;
  /**
   * Secrets the node needs (API keys): admins store them encrypted per workspace in
   * Settings → Node secrets, and `run` reads them with `ctx.secret(name)`.
   */
  secrets?: NodeSecretDefinition[];
  run(context: NodeContext<Config>): Promise<NodeResult>;
}

export interface NodeSecretDefinition {
  /** What `ctx.secret(name)` asks for: letters, digits and '_'. */
  name: string;
  /** What admins see in Settings → Node secrets, e.g. "Shopify Admin API access token". */
  label: string;
  /** Where to find it or what access it needs. */
  description?: string;
}

export function defineNode<Config>(definition: NodeDefinition<Config>): NodeDefinition<Config> {
  return definition;
}

export const NEXT_PORT: PortDefinition = { id: "next", label: "next" };

/**
 * A node package's entry (`index.ts` of a folder named in PARLEY_NODE_PACKAGES) default-exports
 * `nodePackage(a, b, …)`: its node types, each typed by its own config.
 */
export function nodePackage<Configs extends unknown[]>(...nodes: { [Index in keyof Configs]: NodeDefinition<Configs[Index]> }): NodeDefinition<never>[] {
  // The registry erases config types; each definition only ever gets the config its schema parsed.
  return nodes as unknown[] as NodeDefinition<never>[];
}

/** A loaded node package: where it came from (its PARLEY_NODE_PACKAGES entry) and its node types. */
export interface NodePackage {
  source: string;
  nodes: NodeDefinition<never>[];
}
