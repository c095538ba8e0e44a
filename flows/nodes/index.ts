// Built-in node types: each folder here is one type. Adding a folder and listing it below
// is all a new type needs; the palette, validator and compiler read the registry.
import type { NodeDefinition } from "../define-node";
import apiEvent from "./api_event";
import ask from "./ask";
import callFlow from "./call_flow";
import classify from "./classify";
import condition from "./condition";
import delay from "./delay";
import end from "./end";
import goto from "./goto";
import handoff from "./handoff";
import http from "./http";
import llm from "./llm";
import lookup from "./lookup";
import reply from "./reply";
import schedule from "./schedule";
import setVariable from "./set_variable";
import trigger from "./trigger";

// Each definition is typed by its own config; the registry erases that type and only
// hands a definition the config its own zod schema parsed (flows/registry.ts parseConfig).
export const builtinNodes = [trigger, schedule, apiEvent, reply, ask, condition, setVariable, delay, http, lookup, classify, llm, goto, callFlow, handoff, end] as unknown[] as NodeDefinition<never>[];
