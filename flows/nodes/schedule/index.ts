import { CronExpressionParser } from "cron-parser";
import cronstrue from "cronstrue";
import { z } from "zod";
import { defineNode, NEXT_PORT } from "../../define-node";
import { phoneNumberSchema } from "../../message";

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const config = z
  .object({
    /** Five fields: minute hour day-of-month month day-of-week. */
    cron: z.string().trim().min(1, "write when the flow runs, e.g. 0 9 * * 1-5").max(100),
    timezone: z.string().trim().min(1, "pick a time zone").refine(isTimeZone, "not a time zone: use a name like Europe/Paris"),
    audience: z.enum(["list", "recent"]).default("list"),
    /** Phone numbers with country code; spaces, dashes and a leading + are dropped. */
    phones: z.array(phoneNumberSchema).max(10_000).default([]),
    /** With "recent": everyone who wrote within this many days. */
    recentDays: z.number().int().min(1, "at least 1 day").max(365, "at most 365 days").default(30),
  })
  .superRefine((c, ctx) => {
    const fields = c.cron.split(/\s+/);
    if (fields.length !== 5) ctx.addIssue({ code: "custom", path: ["cron"], message: "use five fields: minute hour day month weekday" });
    else {
      try {
        CronExpressionParser.parse(c.cron);
      } catch (error) {
        ctx.addIssue({ code: "custom", path: ["cron"], message: `not a valid schedule: ${(error as Error).message}` });
      }
    }
    if (c.audience === "list" && c.phones.length === 0) ctx.addIssue({ code: "custom", path: ["phones"], message: "add at least one phone number" });
  });
type ScheduleConfig = z.infer<typeof config>;

/** "At 09:00, Monday through Friday", or the expression itself when it cannot be described. */
export function describeCron(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true });
  } catch {
    return cron;
  }
}

export default defineNode<ScheduleConfig>({
  type: "schedule",
  version: 1,
  title: "On a schedule",
  description: "Starts the flow at set times (cron with a time zone) for a list of numbers or everyone who wrote recently. Open with a template: the contact may not have written in 24 hours.",
  category: "trigger",
  icon: "⏰",
  config,
  defaultConfig: { cron: "0 9 * * 1-5", timezone: "Europe/Madrid", audience: "list", phones: [], recentDays: 30 },
  ports: () => [NEXT_PORT],
  summary: (c) =>
    `${describeCron(c.cron)} (${c.timezone}) → ${
      c.audience === "list" ? `${c.phones.length} number${c.phones.length === 1 ? "" : "s"}` : `everyone who wrote in the last ${c.recentDays} days`
    }`,
  trigger: {
    kind: "schedule",
    schedule: (c) => ({
      cron: c.cron,
      timezone: c.timezone,
      audience: c.audience === "list" ? { kind: "list", phones: c.phones } : { kind: "recent", days: c.recentDays },
    }),
  },
  async run(context) {
    return { output: { firedAt: context.trigger.data.firedAt ?? null } };
  },
});
