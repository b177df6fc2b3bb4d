import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProtocolJsonSchema, protocolJsonSchemaText, updateProtocolDoc } from "./codegen.js";
import { METHOD_NAMES } from "./methods.js";

const packageDir = join(import.meta.dirname, "..");
const regenerate = "out of date: run `pnpm --filter @openclaw/protocol gen` and commit the result";

describe("generated artifacts", () => {
  it("protocol.schema.json matches the code", () => {
    const committed = readFileSync(join(packageDir, "protocol.schema.json"), "utf8");
    expect(committed === protocolJsonSchemaText(), `protocol.schema.json ${regenerate}`).toBe(true);
  });

  it("docs/protocol.md tables match the registries", () => {
    const committed = readFileSync(join(packageDir, "..", "..", "docs", "protocol.md"), "utf8");
    expect(committed === updateProtocolDoc(committed), `docs/protocol.md ${regenerate}`).toBe(true);
    for (const name of METHOD_NAMES) expect(committed).toContain(`| \`${name}\` |`);
  });

  it("describes closed params and open results in the JSON Schema", () => {
    const schema = buildProtocolJsonSchema() as {
      methods: Record<
        string,
        {
          params: { additionalProperties?: unknown; required?: string[] };
          result: { additionalProperties?: unknown };
        }
      >;
      $defs: Record<string, { additionalProperties?: unknown }>;
    };
    expect(schema.methods["chat.send"]?.params.additionalProperties).toBe(false);
    expect(schema.methods["chat.send"]?.params.required).toEqual(["sessionKey", "message", "idempotencyKey"]);
    expect(schema.methods["chat.send"]?.result.additionalProperties).toEqual({});
    expect(schema.$defs.ConnectParams?.additionalProperties).toBe(false);
    expect(schema.$defs.HelloOk?.additionalProperties).toEqual({});
  });
});
