#!/usr/bin/env node
// Create a package from the house template: node scripts/new-package.mjs <dir> <name> "<description>" [--private] [--neutral]
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, name, description = "", ...flags] = process.argv.slice(2);
if (!dir || !name) {
  console.error(
    'usage: node scripts/new-package.mjs packages/<dir> @openclaw/<name> "<description>" [--private] [--neutral]',
  );
  process.exit(2);
}
const isPrivate = flags.includes("--private");
const neutral = flags.includes("--neutral");
if (existsSync(join(dir, "package.json"))) {
  console.error(`${dir}/package.json exists already`);
  process.exit(1);
}
mkdirSync(join(dir, "src"), { recursive: true });
const manifest = {
  name,
  version: "0.1.0",
  description,
  license: "MIT",
  ...(isPrivate ? { private: true } : {}),
  type: "module",
  sideEffects: false,
  exports: {
    ".": { "@openclaw/source": "./src/index.ts", types: "./dist/index.d.ts", import: "./dist/index.js" },
    "./package.json": "./package.json",
  },
  main: "./dist/index.js",
  types: "./dist/index.d.ts",
  files: ["dist", "src", "!src/**/*.test.ts", "!src/**/__fixtures__"],
  engines: { node: ">=22.13" },
  ...(isPrivate ? {} : { publishConfig: { access: "public" } }),
  repository: { type: "git", url: "git+https://example.invalid/openclaw-ts.git", directory: dir },
  scripts: {
    build: isPrivate ? "tsup" : "tsup && publint --strict",
    test: `vitest run --config ../../vitest.config.ts --root ../.. --dir ${dir}`,
    typecheck: "tsc -p ../../tsconfig.json --noEmit",
  },
  dependencies: {},
};
writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
writeFileSync(
  join(dir, "tsup.config.ts"),
  `import { defineConfig } from "tsup";
import { preset } from "../../scripts/tsup-preset.js";

export default defineConfig(preset(${neutral ? '{ platform: "neutral" }' : ""}));
`,
);
writeFileSync(
  join(dir, "src/index.ts"),
  `/** Version of ${name}, injected at build time. */
export const VERSION: string = typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";
`,
);
console.log(`created ${dir} (${name})`);
