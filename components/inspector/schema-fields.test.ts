// The inspector's form fields read from node config schemas: a field marked
// `.meta({ choices: "flows" })` is drawn as a pick-list of the workspace's flows, one marked
// `"templates"` as a pick-list of its approved WhatsApp templates.
import { describe, expect, test } from "vitest";
import callFlow from "@/flows/nodes/call_flow";
import llm from "@/flows/nodes/llm";
import reply from "@/flows/nodes/reply";
import { formFields, type FormField } from "./schema-fields";

const field = (fields: FormField[], key: string) => fields.find((candidate) => candidate.key === key)!;

describe("flow pickers", () => {
  test("“Run another flow” and Ask AI's flow tools pick a flow from the list; other texts stay free", () => {
    expect(field(formFields(callFlow.config), "flowId").spec).toEqual({ kind: "text", multiline: false, maxLength: 64, choices: "flows" });
    const tools = field(formFields(llm.config), "flowTools").spec;
    expect(tools.kind).toBe("objects");
    const rows = tools.kind === "objects" ? tools.fields : [];
    expect(field(rows, "flowId").spec).toMatchObject({ kind: "text", choices: "flows" });
    expect(field(rows, "name").spec).not.toHaveProperty("choices");
    expect(field(formFields(llm.config), "history").spec).toEqual({ kind: "enum", options: ["window", "summary"] });
  });
});

describe("template pickers", () => {
  test("the reply node picks its template from the list; its language and parameters stay editable", () => {
    const fields = formFields(reply.config);
    expect(field(fields, "templateName").spec).toMatchObject({ kind: "text", choices: "templates" });
    expect(field(fields, "language").spec).not.toHaveProperty("choices");
    expect(field(fields, "parameters").spec.kind).toBe("list");
  });
});
