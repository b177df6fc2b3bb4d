import { defineConfig } from "tsup";
import { preset } from "../../scripts/tsup-preset.js";

// two entries: the full protocol, and `base` (the zod-free part; see src/base.ts)
export default defineConfig(preset({ entry: ["src/index.ts", "src/base.ts"], platform: "neutral" }));
