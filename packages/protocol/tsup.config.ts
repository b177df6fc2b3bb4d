import { defineConfig } from "tsup";
import { preset } from "../../scripts/tsup-preset.js";

// four entries: the full protocol, `base` (the zod-free part; see src/base.ts), `channel`
// (the zod-free channel contract; see src/channel-entry.ts) and `model` (the zod-free model and
// provider contracts; see src/model-entry.ts)
export default defineConfig(
  preset({
    entry: ["src/index.ts", "src/base.ts", "src/channel-entry.ts", "src/model-entry.ts"],
    platform: "neutral",
  }),
);
