// Shapes of what crosses the executor's edges (HTTP bodies from the SDK and from senders),
// validated with zod so nothing untyped travels further in.
import { z } from "zod";

/** JSON-compatible value, as stored in Prisma Json columns and sent to the SDK. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const jsonObject = z.record(z.string(), z.unknown());

/** One event as posted to /e/:key (the SDK always sends an array; a single object is allowed). */
export const incomingEventSchema = z.object({
  name: z.string().min(1, "event name is required"),
  data: jsonObject.optional(),
  user: jsonObject.optional().nullable(),
  id: z.string().min(1).optional(),
  ts: z.number().int().nonnegative().optional(),
  v: z.string().optional(),
});
export type IncomingEvent = z.infer<typeof incomingEventSchema>;
export const incomingEventsSchema = z.union([incomingEventSchema, z.array(incomingEventSchema)]);

/** The event as the SDK receives it in a call request (and as stored on a run). */
export interface RunEvent {
  id: string;
  name: string;
  data: Record<string, unknown>;
  user: Record<string, unknown>;
  ts: number;
  v?: string;
}

const concurrencyConstraint = z.object({
  limit: z.number().int().nonnegative(),
  key: z.string().optional(),
  scope: z.enum(["fn", "env", "account"]).optional(),
});

/**
 * A function as registered by the SDK (protocol doc §1.5). Options the executor does not
 * implement yet are kept in the stored config (looseObject) so a later version can use them.
 */
export const functionConfigSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  triggers: z
    .array(
      z.union([
        z.object({ event: z.string().min(1), expression: z.string().optional().nullable() }),
        z.object({ cron: z.string().min(1), jitter: z.string().optional() }),
      ]),
    )
    .default([]),
  steps: z.record(
    z.string(),
    z.looseObject({
      id: z.string(),
      runtime: z.looseObject({ type: z.string().optional(), url: z.string().optional() }),
      retries: z.object({ attempts: z.number().int().nonnegative() }).optional().nullable(),
    }),
  ),
  concurrency: z
    .union([z.number().int().nonnegative(), concurrencyConstraint, z.array(concurrencyConstraint)])
    .optional()
    .nullable(),
  // Flow control, passed through by the SDK as the user wrote it (protocol doc §1.5, §7).
  debounce: z.object({ period: z.string(), key: z.string().optional(), timeout: z.string().optional() }).optional().nullable(),
  cancel: z
    .array(z.object({ event: z.string().min(1), if: z.string().optional().nullable(), timeout: z.string().optional().nullable() }))
    .optional()
    .nullable(),
  idempotency: z.string().optional().nullable(),
  rateLimit: z
    .object({ limit: z.number().int().nonnegative(), period: z.string(), key: z.string().optional().nullable() })
    .optional()
    .nullable(),
  throttle: z
    .object({
      limit: z.number().int().nonnegative(),
      period: z.string(),
      key: z.string().optional().nullable(),
      burst: z.number().int().nonnegative().optional().nullable(),
    })
    .optional()
    .nullable(),
  timeouts: z.object({ start: z.string().optional().nullable(), finish: z.string().optional().nullable() }).optional().nullable(),
});
export type FunctionConfig = z.infer<typeof functionConfigSchema>;

/** Out-of-band registration POSTed by the SDK to /fn/register. */
export const registerRequestSchema = z.looseObject({
  url: z.string(),
  appName: z.string().min(1),
  functions: z.array(z.unknown()).default([]),
});

/** The serve handler's reply to an in-band sync PUT (protocol doc §1.10). */
export const inBandSyncResponseSchema = z.looseObject({
  app_id: z.string().min(1),
  url: z.string().optional(),
  functions: z.array(z.unknown()).default([]),
});

/** A serialised error as the SDK sends it (StepError/StepFailed ops, 4xx/5xx bodies). */
export const sdkErrorSchema = z.looseObject({
  name: z.string().optional(),
  message: z.string().optional(),
  stack: z.string().optional(),
});

/** One op in a 206 reply (protocol doc §3.6). */
export const opSchema = z.looseObject({
  id: z.string().min(1),
  op: z.string().min(1),
  name: z.string().optional(),
  displayName: z.string().optional(),
  opts: z.record(z.string(), z.unknown()).optional().nullable(),
  data: z.unknown().optional(),
  error: z.unknown().optional(),
});
export type Op = z.infer<typeof opSchema>;
export const opsSchema = z.array(opSchema);

export const waitForEventOptsSchema = z.looseObject({
  timeout: z.string(),
  if: z.string().optional().nullable(),
});

/** step.invoke's op options (protocol doc §3.6). */
export const invokeOptsSchema = z.looseObject({
  function_id: z.string().min(1),
  payload: z.looseObject({ data: z.record(z.string(), z.unknown()).optional().nullable(), v: z.string().optional().nullable() }).optional().nullable(),
  timeout: z.string().optional().nullable(),
});

/** The SDK's POST /v1/checkpoint/<run>/async body (protocol doc §5). */
export const checkpointBodySchema = z.looseObject({
  run_id: z.string().optional(),
  fn_id: z.string().optional(),
  qi_id: z.string().min(1),
  steps: z.array(z.looseObject({ id: z.string().min(1), op: z.string().min(1), data: z.unknown().optional() })),
});
