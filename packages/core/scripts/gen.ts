// `pnpm --filter @openclaw/core gen`: write src/tools/builtin-tool-schemas.ts (the built-in tools'
// JSON Schemas, precomputed from their zod schemas so a turn sends them without loading zod).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { builtinToolSchemasText } from "../src/tools/builtin-tool-schemas-codegen.js";

const target = join(import.meta.dirname, "..", "src", "tools", "builtin-tool-schemas.ts");
writeFileSync(target, builtinToolSchemasText());
// in the repository's format (the drift test compares values, not text)
execFileSync("pnpm", ["exec", "biome", "format", "--write", target], { stdio: "inherit" });
console.log(`wrote ${target}`);
