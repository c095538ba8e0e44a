// The retention job: once a day, each workspace's conversations older than its retention
// period are deleted (Settings → Privacy).
import { inngest } from "@/server/inngest/client";
import { applyRetention } from "./contacts";

export function retentionFunction() {
  return inngest().createFunction(
    { id: "data-retention", name: "Delete conversations past their retention period", triggers: [{ cron: "TZ=UTC 30 3 * * *" }], retries: 3 },
    async ({ step }) => step.run("apply", () => applyRetention()),
  );
}
