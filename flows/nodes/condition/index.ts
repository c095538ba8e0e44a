import { z } from "zod";
import { defineNode } from "../../define-node";
import { evaluateCondition, expressionError } from "../../expressions";

const branch = z.object({
  /** The output port of this branch. */
  id: z.string().regex(/^[a-z0-9_-]{1,40}$/i, "use letters, digits, '-' and '_'"),
  label: z.string().trim().min(1).max(40),
  when: z
    .string()
    .trim()
    .min(1, "write a condition, e.g. vars.plan == \"pro\"")
    .superRefine((expression, ctx) => {
      const error = expressionError(expression);
      if (error) ctx.addIssue({ code: "custom", message: `not a valid condition: ${error}` });
    }),
});

const config = z.object({
  branches: z
    .array(branch)
    .min(1, "add at least one branch")
    .max(10)
    .refine((branches) => new Set(branches.map((b) => b.id)).size === branches.length, "two branches share one id")
    .refine((branches) => !branches.some((b) => b.id === "else"), "“else” is the port for when no branch matches"),
});
type ConditionConfig = z.infer<typeof config>;

export default defineNode<ConditionConfig>({
  type: "condition",
  version: 1,
  title: "Condition",
  description: "Takes the first branch whose condition is true, or “else”. Conditions read contact, message, vars and nodes.",
  category: "logic",
  icon: "🔀",
  config,
  defaultConfig: { branches: [{ id: "yes", label: "Yes", when: 'message.text == "yes"' }] },
  ports: (c) => [...c.branches.map((b) => ({ id: b.id, label: b.label })), { id: "else", label: "else" }],
  summary: (c) => c.branches.map((b) => `${b.label}: ${b.when}`).join(" · "),
  async run(context) {
    const scope = { contact: context.contact, message: context.message, vars: context.vars, nodes: context.nodes };
    const checked: { branch: string; value: boolean; error?: string }[] = [];
    for (const branch of context.config.branches) {
      const result = evaluateCondition(branch.when, scope);
      checked.push({ branch: branch.id, ...result });
      if (result.value) return { port: branch.id, output: { checked } };
    }
    return { port: "else", output: { checked } };
  },
});
