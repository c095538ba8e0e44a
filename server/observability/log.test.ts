import { Writable } from "node:stream";
import type { Logger } from "pino";
import { describe, expect, test } from "vitest";
import { createLogger } from "./log";

/** The JSON line `write` logs, with a logger built from `env`. */
function capture(env: Record<string, string>, write: (logger: Logger) => void): Record<string, unknown> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  write(createLogger({ PARLEY_LOG_LEVEL: "info", ...env }, sink));
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
}

describe("logs", () => {
  test("phone numbers and texts are masked, credentials replaced, ids kept", () => {
    const line = capture({}, (logger) =>
      logger.info({ runId: "r1", contact: { waId: "34600000123", name: "Ana" }, text: "my card is 4111…", accessToken: "EAAG-secret" }, "sent"),
    );
    expect(line).toMatchObject({ level: "info", msg: "sent", runId: "r1", contact: { waId: "…23", name: "[redacted]" }, text: "[redacted]", accessToken: "[secret]" });
    expect(JSON.stringify(line)).not.toContain("34600000123");
    expect(JSON.stringify(line)).not.toContain("EAAG-secret");
  });

  test("PARLEY_LOG_UNREDACTED shows personal data when debugging, never credentials", () => {
    const line = capture({ PARLEY_LOG_UNREDACTED: "1" }, (logger) => logger.info({ waId: "34600000123", token: "t0k" }, "debug"));
    expect(line.waId).toBe("34600000123");
    expect(line).not.toHaveProperty("token");
  });
});
