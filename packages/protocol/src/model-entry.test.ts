import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { staticGraph } from "../../../scripts/import-graph.js";
import * as all from "./index.js";
import * as model from "./model-entry.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("@openclaw/protocol/model", () => {
  it("never reaches zod through a value import", () => {
    const graph = staticGraph(join(here, "model-entry.ts"));
    expect([...graph.packages].filter((name) => name === "zod" || name.startsWith("zod/"))).toEqual([]);
    const files = [...graph.files].map((file) => file.slice(here.length + 1)).sort();
    // the walk followed the re-exports down to OpenClawError (error-codes.ts), not errors.ts (zod)
    expect(files).toEqual(
      expect.arrayContaining(["model-entry.ts", "model/provider-error.ts", "error-codes.ts"]),
    );
    expect(files).not.toContain("errors.ts");
  });

  it("exports the very same values as the main entry", () => {
    const exported = Object.entries(model);
    expect(exported.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "ProviderError",
        "parseRetryAfter",
        "isThinkingLevel",
        "THINKING_LEVELS",
        "getBuiltinProvider",
        "iterateStreamParts",
      ]),
    );
    const main = new Map(Object.entries(all));
    for (const [name, value] of exported) expect(main.get(name), name).toBe(value);
  });

  it("a ProviderError from this entry is the main entry's OpenClawError", async () => {
    const error = new model.ProviderError("rate_limit", "slow down", { retryAfterMs: 1000 });
    expect(error).toBeInstanceOf(all.OpenClawError);
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.isRetryable).toBe(true);
    const viaPackage = await import("@openclaw/protocol/model");
    expect(viaPackage.ProviderError).toBe(model.ProviderError);
  });
});
