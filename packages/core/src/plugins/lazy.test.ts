import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, staticGraph } from "../../../../scripts/import-graph.js";

const relative = (files: Iterable<string>) => [...files].map((file) => file.slice(REPO.length + 1)).sort();

describe("what discovering plugins loads", () => {
  it("@openclaw/core/plugins loads node built-ins and its own files only (no zod, no protocol, no plugin)", () => {
    const graph = staticGraph(join(REPO, "packages/core/src/plugins/index.ts"));
    expect([...graph.packages]).toEqual([]);
    expect(relative(graph.files)).toEqual([
      "packages/core/src/plugins/discover.ts",
      "packages/core/src/plugins/index.ts",
      "packages/core/src/plugins/manifest.ts",
      "packages/core/src/plugins/registry.ts",
    ]);
    // the module checks (and zod, for configSchema) load with the first plugin import
    expect(graph.dynamic.get(join(REPO, "packages/core/src/plugins/registry.ts"))).toEqual(["./load.js"]);
  });
});
