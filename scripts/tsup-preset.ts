import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Options } from "tsup";

/**
 * The one tsup configuration every package builds with: ESM, .d.ts, sourcemaps, the package
 * version injected as __OPENCLAW_VERSION__ (read at build time, so runtime never reads package.json).
 */
export function preset(options: Options = {}): Options {
  const manifest = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as {
    version: string;
  };
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node22",
    platform: "node",
    splitting: true,
    treeshake: true,
    ...options,
    define: { __OPENCLAW_VERSION__: JSON.stringify(manifest.version), ...options.define },
  };
}
