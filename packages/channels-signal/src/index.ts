import { createSignalChannel } from "./signal-channel.js";

/** Version of @openclaw/channels-signal, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";

export {
  listSignalAccountIds,
  resolveSignalAccount,
  type SignalAccount,
  signalConfigSchema,
} from "./config.js";
export {
  linkSignal,
  readSignalEvents,
  SIGNAL_CLI_INSTALL_HINT,
  SignalRpcError,
  signalRpc,
  spawnSignalDaemon,
} from "./daemon.js";
export { normalizeSignalEnvelope, type SignalEnvelope, signalGroupTarget } from "./normalize.js";
export { renderSignal } from "./render.js";
export {
  createSignalChannel,
  SIGNAL_TEXT_LIMIT,
  type SignalChannelOptions,
  toSignalChannelError,
} from "./signal-channel.js";

/** Default instance. */
export const signal = createSignalChannel();
