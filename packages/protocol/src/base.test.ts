import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { staticGraph } from "../../../scripts/import-graph.js";
import * as base from "./base.js";
import * as all from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("@openclaw/protocol/base", () => {
  it("never reaches zod through a value import", () => {
    const graph = staticGraph(join(here, "base.ts"));
    expect([...graph.packages].filter((name) => name === "zod" || name.startsWith("zod/"))).toEqual([]);
    // the walk really followed the re-exports (device-auth → encoding)
    expect([...graph.files].map((file) => file.slice(here.length + 1)).sort()).toEqual([
      "base.ts",
      "connect-errors.ts",
      "device-auth.ts",
      "encoding.ts",
      "error-codes.ts",
      "limits.ts",
      "scopes.ts",
      "session-key.ts",
      "two-phase.ts",
      "version.ts",
    ]);
  });

  it("the same walk finds zod from the main entry (the check can fail)", () => {
    expect(staticGraph(join(here, "index.ts")).packages).toContain("zod");
  });

  it("exports the very same values as the main entry", () => {
    const exported = Object.entries(base);
    expect(exported.map(([name]) => name)).toEqual(
      expect.arrayContaining(["verifyDeviceProof", "toAgentSessionKey", "scopeAllows", "MAX_PAYLOAD_BYTES"]),
    );
    const main = new Map(Object.entries(all));
    for (const [name, value] of exported) expect(main.get(name), name).toBe(value);
  });

  it("resolves as a package subpath", async () => {
    const viaPackage = await import("@openclaw/protocol/base");
    expect(viaPackage.toAgentSessionKey).toBe(base.toAgentSessionKey);
  });
});
