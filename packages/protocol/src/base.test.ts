import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as base from "./base.js";
import * as all from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The module specifiers a file loads when it is evaluated. `import type` / `export type` are
 * erased; any other import is kept, even `import { type A } from "x"`: with
 * `verbatimModuleSyntax` that still compiles to `import {} from "x"`, which loads "x".
 */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      if (statement.importClause?.isTypeOnly) continue;
      if (ts.isStringLiteral(statement.moduleSpecifier)) found.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      if (statement.isTypeOnly) continue;
      const clause = statement.exportClause;
      // `export { type A, type B } from "x"` re-exports types only and is erased
      if (clause && ts.isNamedExports(clause) && clause.elements.length > 0)
        if (clause.elements.every((element) => element.isTypeOnly)) continue;
      if (ts.isStringLiteral(statement.moduleSpecifier)) found.push(statement.moduleSpecifier.text);
    }
  }
  return found;
}

/** Every file and bare package reachable from `entry` through static imports of relative files. */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith(".")) queue.push(join(dirname(file), specifier.replace(/\.js$/, ".ts")));
      else packages.add(specifier);
    }
  }
  return { files, packages };
}

describe("@openclaw/protocol/base", () => {
  it("never reaches zod through a value import", () => {
    const graph = reachable(join(here, "base.ts"));
    expect([...graph.packages].filter((name) => name === "zod" || name.startsWith("zod/"))).toEqual([]);
    // the walk really followed the re-exports (device-auth → encoding)
    expect([...graph.files].map((file) => file.slice(here.length + 1)).sort()).toEqual([
      "base.ts",
      "connect-errors.ts",
      "device-auth.ts",
      "encoding.ts",
      "limits.ts",
      "scopes.ts",
      "session-key.ts",
      "version.ts",
    ]);
  });

  it("the same walk finds zod from the main entry (the check can fail)", () => {
    expect(reachable(join(here, "index.ts")).packages).toContain("zod");
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
