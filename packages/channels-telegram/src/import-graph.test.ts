import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileImports, REPO, staticGraph } from "../../../scripts/import-graph.js";

// What a connected Telegram account keeps in memory (docs/gateway.md "Memory"): the package's
// import graph, from its sources. The zod / core / throttler checks live in
// packages/gateway/src/__tests__/lazy-loading.test.ts.

describe("what @openclaw/channels-telegram loads", () => {
  const graph = staticGraph(join(REPO, "packages/channels-telegram/src/index.ts"));

  it("never imports node:http as an ES module (its facade loads Node's bundled undici)", () => {
    const httpImports = [...graph.files].flatMap((file) =>
      fileImports(file)
        .static.filter((specifier) => specifier === "node:http" || specifier === "http")
        .map(() => file.slice(REPO.length + 1)),
    );
    expect(httpImports).toEqual([]);
  });
});
