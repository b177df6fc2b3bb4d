import { defineConfig } from "tsup";
import { preset } from "../../scripts/tsup-preset.js";

// The CLI is an app, not a library: no .d.ts; every command module is its own chunk so that a
// command loads only what it uses.
export default defineConfig(
  preset({
    entry: { cli: "src/cli.ts" },
    dts: false,
    banner: { js: "#!/usr/bin/env node" },
  }),
);
