import { describe, expect, test } from "vitest";
import { isSameOrigin } from "./same-origin";

const post = (headers: Record<string, string>) => new Request("http://parley.example/api/trpc/flows.publish", { method: "POST", headers });

describe("same-origin check", () => {
  test("a page of this app passes; another site's page does not", () => {
    expect(isSameOrigin(post({ host: "parley.example", origin: "http://parley.example" }))).toBe(true);
    expect(isSameOrigin(post({ host: "parley.example", origin: "https://evil.example" }))).toBe(false);
    expect(isSameOrigin(post({ host: "parley.example", origin: "null" }))).toBe(false);
  });

  test("behind a proxy the forwarded host counts; clients that send no Origin (curl, servers) pass", () => {
    expect(isSameOrigin(post({ host: "10.0.0.5:3000", "x-forwarded-host": "bots.shop.example", origin: "https://bots.shop.example" }))).toBe(true);
    expect(isSameOrigin(post({ host: "parley.example" }))).toBe(true);
  });
});
