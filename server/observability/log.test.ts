import { Writable } from "node:stream";
import type { Logger } from "pino";
import { describe, expect, test } from "vitest";
import { createLogger, requestIdFrom, tracedRequest, withLogContext } from "./log";

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

describe("the request, run and conversation on every line", () => {
  test("a line logged inside a context carries its ids, nested contexts add theirs, and personal data stays masked", () => {
    const line = capture({}, (logger) =>
      withLogContext({ requestId: "req-1" }, () => withLogContext({ runId: "run-1", conversationId: "conv-1" }, () => logger.info({ waId: "34600000123" }, "step"))),
    );
    expect(line).toMatchObject({ requestId: "req-1", runId: "run-1", conversationId: "conv-1", waId: "…23", msg: "step" });
    const outside = capture({}, (logger) => logger.info("idle"));
    expect(outside).not.toHaveProperty("requestId");
  });

  test("a caller's X-Request-Id is kept when it is a plain token, replaced otherwise, and echoed on the response", async () => {
    expect(requestIdFrom(new Headers({ "x-request-id": "lb-7f3a.91" }))).toBe("lb-7f3a.91");
    expect(requestIdFrom(new Headers({ "x-request-id": "bad id <script>" }))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(new Headers())).toMatch(/^[0-9a-f-]{36}$/);
    let seen: string | undefined;
    const response = await tracedRequest(new Request("http://parley.test/api/x", { headers: { "x-request-id": "abc-123" } }), async () => {
      seen = capture({}, (logger) => logger.info("inside")).requestId as string;
      return Response.json({ ok: true });
    });
    expect(seen).toBe("abc-123");
    expect(response.headers.get("x-request-id")).toBe("abc-123");
  });
});
