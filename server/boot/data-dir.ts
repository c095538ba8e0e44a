// Secrets Parley generates for itself on the first start, kept in the data folder with
// owner-only permissions. Values from the environment always win.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const generatedSchema = z.object({
  postgresPassword: z.string(),
  secretKey: z.string(),
  authSecret: z.string(),
  inngestSigningKey: z.string(),
  inngestEventKey: z.string(),
});
export type GeneratedSecrets = z.infer<typeof generatedSchema>;

export async function loadGeneratedSecrets(dataDir: string): Promise<GeneratedSecrets> {
  const file = path.join(dataDir, "secrets.json");
  try {
    return generatedSchema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`${file} is unreadable: ${(error as Error).message}`);
  }
  const secrets: GeneratedSecrets = {
    postgresPassword: randomBytes(18).toString("base64url"),
    secretKey: randomBytes(32).toString("base64url"),
    authSecret: randomBytes(32).toString("base64url"),
    inngestSigningKey: `signkey-prod-${randomBytes(32).toString("hex")}`,
    inngestEventKey: randomBytes(24).toString("hex"),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  await chmod(file, 0o600);
  return secrets;
}
