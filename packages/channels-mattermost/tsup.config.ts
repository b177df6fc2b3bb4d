import { defineConfig } from "tsup";
import { preset } from "../../scripts/tsup-preset.js";

// The channel contract's runtime (@openclaw/protocol/channel, zod-free) is bundled in, so the
// published package installs from the npm registry alone (`openclaw plugins install <tarball>`);
// its types come from the host's @openclaw/protocol (an optional peer dependency).
export default defineConfig(preset({ noExternal: [/^@openclaw\/protocol/] }));
