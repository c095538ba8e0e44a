// Re-encrypts every secret at rest with the current PARLEY_SECRET_KEY, after a rotation:
// set the new key in PARLEY_SECRET_KEY, the old one in PARLEY_SECRET_KEY_PREVIOUS, run
// `npm run rotate-secrets`, then drop the old key. Encrypted columns are those whose name
// ends in "Cipher" (a convention every model holding a secret follows), found in the schema
// so a new one is never forgotten.
import { db } from "@/server/db/client";
import { currentKeyId, decryptSecret, encryptSecret } from "./secrets";

export async function reencryptSecrets(): Promise<{ table: string; column: string; reencrypted: number }[]> {
  const columns = await db().$queryRaw<{ table: string; column: string }[]>`
    SELECT table_name::text AS "table", column_name::text AS "column" FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name LIKE '%Cipher' AND data_type = 'text'
    ORDER BY 1, 2`;
  const current = `v1:${currentKeyId()}:`;
  const results = [];
  for (const { table, column } of columns) {
    const quotedTable = `"${table.replaceAll('"', '""')}"`;
    const quotedColumn = `"${column.replaceAll('"', '""')}"`;
    const stale = await db().$queryRawUnsafe<{ id: string; value: string }[]>(
      `SELECT id, ${quotedColumn} AS value FROM ${quotedTable} WHERE ${quotedColumn} IS NOT NULL AND ${quotedColumn} NOT LIKE $1`,
      `${current}%`,
    );
    for (const row of stale) {
      await db().$executeRawUnsafe(`UPDATE ${quotedTable} SET ${quotedColumn} = $1 WHERE id = $2 AND ${quotedColumn} = $3`, encryptSecret(decryptSecret(row.value)), row.id, row.value);
    }
    results.push({ table, column, reencrypted: stale.length });
  }
  return results;
}
