import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import ts from "typescript";

// What a module loads when it is evaluated, from the TypeScript sources: the tests that keep a
// package entry light (the gateway's idle path, @openclaw/protocol/base, @openclaw/core/config/store)
// walk it. scripts/check-dist-imports.mjs checks the same promise on the built files.

/** The repository root (this file is scripts/import-graph.ts). */
export const REPO = resolve(import.meta.dirname, "..");

interface FileImports {
  /** Loaded when the file is evaluated. */
  static: string[];
  /** `import("…")` calls with a literal specifier. */
  dynamic: string[];
}

/**
 * The module specifiers a TypeScript file imports. `import type` / `export type` (and a re-export
 * of types only) are erased; any other import counts, even `import { type A } from "x"`: with
 * `verbatimModuleSyntax` that still compiles to `import {} from "x"`, which loads "x".
 */
export function fileImports(file: string): FileImports {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: FileImports = { static: [], dynamic: [] };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      if (statement.importClause?.isTypeOnly) continue;
      if (ts.isStringLiteral(statement.moduleSpecifier)) found.static.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      if (statement.isTypeOnly) continue;
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause) && clause.elements.length > 0)
        if (clause.elements.every((element) => element.isTypeOnly)) continue;
      if (ts.isStringLiteral(statement.moduleSpecifier)) found.static.push(statement.moduleSpecifier.text);
    }
  }
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      found.dynamic.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `@openclaw/<name>[/sub]` → the `@openclaw/source` file its package.json exports for it. */
function workspaceSources(): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of ["packages", "apps"]) {
    for (const dir of readdirSync(join(REPO, group))) {
      const manifestPath = join(REPO, group, dir, "package.json");
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
        name: string;
        exports?: Record<string, unknown>;
      };
      for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
        const source = (target as Record<string, unknown> | null)?.["@openclaw/source"];
        if (typeof source !== "string") continue;
        const specifier = subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
        map.set(specifier, join(REPO, group, dir, source));
      }
    }
  }
  return map;
}

function resolveRelative(from: string, specifier: string): string {
  const base = join(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")])
    if (existsSync(candidate)) return candidate;
  throw new Error(`cannot resolve ${specifier} from ${from}`);
}

export interface ImportGraph {
  /** Source files loaded (absolute paths). */
  files: Set<string>;
  /** Packages outside the workspace loaded (bare specifiers). */
  packages: Set<string>;
  /** Dynamic imports written in the loaded files: `file → specifiers`. */
  dynamic: Map<string, string[]>;
}

/**
 * What evaluating `entry` loads: static imports followed through relative files and
 * `@openclaw/*` workspace packages (their TypeScript sources); other packages are leaves.
 */
export function staticGraph(entry: string): ImportGraph {
  const workspace = workspaceSources();
  const graph: ImportGraph = { files: new Set(), packages: new Set(), dynamic: new Map() };
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (graph.files.has(file)) continue;
    graph.files.add(file);
    const imports = fileImports(file);
    if (imports.dynamic.length > 0) graph.dynamic.set(file, imports.dynamic);
    for (const specifier of imports.static) {
      if (specifier.startsWith(".")) queue.push(resolveRelative(file, specifier));
      else if (workspace.has(specifier)) queue.push(workspace.get(specifier) as string);
      else if (specifier.startsWith("@openclaw/"))
        throw new Error(`${file}: ${specifier} is not an export of a workspace package`);
      else if (!specifier.startsWith("node:")) graph.packages.add(specifier);
    }
  }
  return graph;
}

/** The package name of a bare specifier (`zod/v4` → `zod`, `@scope/x/y` → `@scope/x`). */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}
