import { defineConfig } from "tsup";
import { preset } from "../../scripts/tsup-preset.js";

// three entries: the full protocol, `base` (the zod-free part; see src/base.ts) and `channel`
// (the zod-free channel contract; see src/channel-entry.ts)
export default defineConfig(
  preset({ entry: ["src/index.ts", "src/base.ts", "src/channel-entry.ts"], platform: "neutral" }),
);
