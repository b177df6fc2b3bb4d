import { defineConfig } from "tsup";
import { preset } from "../../scripts/tsup-preset.js";

// Subpath entries let the CLI load only the config/state code it uses (`openclaw config get`
// must not pay for the agent runtime).
export default defineConfig(
  preset({
    entry: {
      index: "src/index.ts",
      // the assistant alone (agent runtime, tools, providers' contracts): no config schema, no zod,
      // so a gateway's first chat turn loads none (checked on the build by check-dist-imports)
      "assistant/index": "src/assistant.ts",
      "config/index": "src/config/index.ts",
      "config/fast": "src/config/fast.ts",
      "config/store": "src/config/store.ts",
      "state/index": "src/state/index.ts",
      "state/devices": "src/state/device-pairing-store.ts",
      "fs/index": "src/fs/index.ts",
      "methods/index": "src/methods/index.ts",
      "plugins/index": "src/plugins/index.ts",
      "channels/index": "src/inbound/index.ts",
      "migrate/index": "src/migrate/index.ts",
      "cron/index": "src/cron/index.ts",
      "hooks/index": "src/hooks/index.ts",
      "memory/index": "src/memory/index.ts",
      // the memory index's writer thread, started from a file URL (memory/writer.ts)
      "memory/index-worker": "src/memory/index-worker.ts",
      "skills/index": "src/skills/index.ts",
      "nodes/index": "src/nodes/index.ts",
      "approvals/index": "src/approvals/index.ts",
    },
  }),
);
