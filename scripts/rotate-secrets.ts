// `npm run rotate-secrets`: re-encrypts every secret at rest with PARLEY_SECRET_KEY (see
// server/security/rotate.ts and docs/operations.md, "Rotating the secret key").
import { reencryptSecrets } from "@/server/security/rotate";
import { db } from "@/server/db/client";

const results = await reencryptSecrets();
for (const { table, column, reencrypted } of results) console.log(`${table}.${column}: ${reencrypted} re-encrypted`);
await db().$disconnect();
