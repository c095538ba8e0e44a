// The corpus of Meta-shaped webhook payloads in tests/fixtures/whatsapp/: each file holds
// the deliveries (POST bodies, in order) and what Parley must read from them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const fixtureSchema = z.object({
  description: z.string(),
  deliveries: z.array(z.record(z.string(), z.unknown())).min(1),
  expected: z.object({
    /** The messages of all deliveries in order; `unsupported: true` only says the details explain why it cannot be read. */
    messages: z.array(z.record(z.string(), z.unknown())),
    statuses: z.array(z.object({ wamid: z.string(), status: z.string(), errorCodes: z.array(z.number()) })),
    errors: z.number().optional(),
    ignoredChanges: z.number().optional(),
  }),
});
export type WebhookFixture = z.infer<typeof fixtureSchema> & { file: string };

const FOLDER = path.resolve(import.meta.dirname, "../fixtures/whatsapp");

export function webhookCorpus(): WebhookFixture[] {
  return readdirSync(FOLDER)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ file, ...fixtureSchema.parse(JSON.parse(readFileSync(path.join(FOLDER, file), "utf8"))) }));
}
