// deploy/compose.yaml cannot be started where Parley is developed (no Docker engine), so its
// wiring is checked here: every service the app needs, the app pointed at the Inngest server
// with the keys they share, both on the same PostgreSQL, no secret written into the file.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";

interface Service {
  image: string;
  command?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}
const compose = parse(readFileSync(path.join(import.meta.dirname, "../../deploy/compose.yaml"), "utf8")) as { services: Record<string, Service> };
const { app, inngest, postgres, redis } = compose.services;

describe("deploy/compose.yaml", () => {
  test("runs the app, PostgreSQL, an Inngest server and Redis", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "inngest", "postgres", "redis"]);
    expect(inngest!.command).toBe("inngest start");
    expect(app!.command).toContain("npm start");
  });

  test("the app reaches the Inngest server with the keys it holds, and Inngest calls the app's serve handler", () => {
    expect(app!.environment!.INNGEST_BASE_URL).toBe("http://inngest:8288");
    expect(app!.environment!.INNGEST_EVENT_KEY).toBe(inngest!.environment!.INNGEST_EVENT_KEY);
    expect(app!.environment!.INNGEST_SIGNING_KEY).toBe(inngest!.environment!.INNGEST_SIGNING_KEY);
    expect(inngest!.environment!.INNGEST_SDK_URL).toBe(`http://app:${app!.environment!.PORT}/api/inngest`);
    expect(app!.depends_on).toHaveProperty("inngest");
  });

  test("Parley and Inngest keep their state in two databases of one PostgreSQL, Inngest's queues in Redis", () => {
    expect(app!.environment!.DATABASE_URL).toMatch(/^postgresql:\/\/postgres:\$\{POSTGRES_PASSWORD\}@postgres:5432\/parley$/);
    expect(inngest!.environment!.INNGEST_POSTGRES_URI).toMatch(/@postgres:5432\/inngest$/);
    expect(postgres!.volumes!.some((volume) => volume.includes("create-inngest-db.sql"))).toBe(true);
    expect(inngest!.environment!.INNGEST_REDIS_URI).toBe("redis://redis:6379");
    expect(redis!.image).toMatch(/^redis:/);
    expect(app!.depends_on!.postgres!.condition).toBe("service_healthy");
  });

  test("secrets come from the environment, never from the file", () => {
    for (const name of ["PARLEY_SECRET_KEY", "NEXTAUTH_SECRET", "INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY", "METRICS_TOKEN"]) {
      expect(app!.environment![name]).toBe(`\${${name}}`);
    }
    expect(postgres!.image).toMatch(/^postgres:1[5-9]/);
  });
});
