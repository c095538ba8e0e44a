import { z } from "zod";
import { defineNode, NEXT_PORT } from "../../define-node";

const config = z.object({
  assignments: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z_][a-z0-9_]{0,39}$/i, "use letters, digits and '_' (not starting with a digit)"),
        /** A `{{template}}`; the rendered text is stored. */
        value: z.string().max(4096),
      }),
    )
    .min(1, "set at least one variable")
    .max(20),
});
type SetVariableConfig = z.infer<typeof config>;

export default defineNode<SetVariableConfig>({
  type: "set_variable",
  version: 1,
  title: "Set variables",
  description: "Stores values (text with {{variables}}) as {{vars.…}} for later nodes.",
  category: "logic",
  icon: "📝",
  config,
  defaultConfig: { assignments: [{ name: "greeted", value: "yes" }] },
  ports: () => [NEXT_PORT],
  summary: (c) => c.assignments.map((a) => `${a.name} = ${a.value}`).join(", "),
  templateFields: ["assignments"],
  setsVariables: (c) => c.assignments.map((a) => a.name),
  async run(context) {
    const assigned: Record<string, string> = {};
    for (const { name, value } of context.config.assignments) {
      assigned[name] = context.render(value);
      context.setVar(name, assigned[name]);
    }
    return { output: assigned };
  },
});
