import type { AnyChannelPlugin } from "@openclaw/protocol/channel";
import { createMatrixChannel } from "./matrix-channel.js";

/** Version of @openclaw/channels-matrix, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";

export {
  listMatrixAccountIds,
  type MatrixAccount,
  matrixConfigSchema,
  resolveMatrixAccount,
} from "./config.js";
export {
  createMatrixChannel,
  MATRIX_TEXT_LIMIT,
  type MatrixChannelOptions,
  matrixTxnId,
  toMatrixChannelError,
} from "./matrix-channel.js";
export { type MatrixEventJson, normalizeMatrixEvent } from "./normalize.js";
export { renderMatrixHtml } from "./render.js";
export { matrixStateDir } from "./sync-token.js";

/** The plugin registry calls this with the gateway's state dir (the /sync position lives under it). */
export default function matrixPlugin(context: {
  stateDir: string;
  env: NodeJS.ProcessEnv;
}): AnyChannelPlugin {
  return createMatrixChannel({ stateDir: context.stateDir, env: context.env });
}
