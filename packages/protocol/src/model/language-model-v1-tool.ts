import type { ProviderOptions } from "./provider-options.js";

/** A JSON Schema object (draft 2020-12 / draft-07 subset the vendors accept). */
export type JSONSchema = Record<string, unknown>;

/** A tool the model may call. Its arguments are described by `inputSchema`. */
export interface LanguageModelV1FunctionTool {
  type: "function";
  name: string;
  description?: string;
  /** JSON Schema of the arguments; must be `{ type: "object", ... }`. */
  inputSchema: JSONSchema;
  providerOptions?: ProviderOptions;
}

export type LanguageModelV1ToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; toolName: string };
