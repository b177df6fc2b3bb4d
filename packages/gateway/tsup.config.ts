import { defineConfig } from "tsup";
import { preset } from "../../scripts/tsup-preset.js";

// pino is bundled into dist (it stays a dependency for its types): loaded from node_modules it is
// ~30 CommonJS files, whose resolution work alone gets Node's path functions optimized and pages
// in ~4 MB of compiler code in an idle gateway. The gateway only uses pino.destination (no
// worker-thread transports), which bundles cleanly; `require` is provided for its Node built-ins.
export default defineConfig(
  preset({
    entry: ["src/index.ts", "src/auth-entry.ts"],
    noExternal: ["pino"],
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
    },
  }),
);
