// Usage (from a package): node ../../scripts/check-dist-imports.mjs <entry.js> <forbidden specifier>...
// Follows the static imports of a built entry through its relative chunks and fails when one of
// them imports a forbidden specifier: `zod` matches exactly, `zod/*` matches any subpath.
// Run by `build` where a package promises a light entry: @openclaw/gateway's dist/index.js (an idle
// gateway loads neither zod, ws nor the protocol main entry), @openclaw/protocol's dist/base.js,
// dist/channel-entry.js and dist/model-entry.js, @openclaw/core's dist/assistant/index.js (no zod).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const [entry, ...forbidden] = process.argv.slice(2);
if (!entry || forbidden.length === 0) {
  console.error("usage: check-dist-imports.mjs <entry.js> <forbidden specifier>...");
  process.exit(2);
}
// esbuild writes each static import / re-export on one line; dynamic import() is not followed
const pattern = /^\s*(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?["']([^"']+)["']/gm;
const seen = new Set();
const hits = [];
const queue = [entry];
while (queue.length > 0) {
  const file = queue.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  for (const [, specifier] of readFileSync(file, "utf8").matchAll(pattern)) {
    if (specifier.startsWith(".")) queue.push(join(dirname(file), specifier));
    else if (
      forbidden.some((name) =>
        name.endsWith("/*") ? specifier.startsWith(name.slice(0, -1)) : specifier === name,
      )
    )
      hits.push(`${file} imports ${specifier}`);
  }
}
if (hits.length > 0) {
  console.error(`${entry} must not load ${forbidden.join(", ")}:\n  ${hits.join("\n  ")}`);
  process.exit(1);
}
console.log(`${entry}: ${seen.size} file(s), none imports ${forbidden.join(", ")}`);
