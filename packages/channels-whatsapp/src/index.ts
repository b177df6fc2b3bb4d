import type { AnyChannelPlugin } from "@openclaw/protocol/channel";
import { createWhatsAppChannel } from "./whatsapp-channel.js";

/** Version of @openclaw/channels-whatsapp, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";

export {
  hasWhatsAppCreds,
  openWhatsAppAuthStore,
  removeWhatsAppCreds,
  whatsappAuthDir,
  writeFileAtomic,
} from "./auth-store.js";
export {
  listWhatsAppAccountIds,
  resolveWhatsAppAccount,
  type WhatsAppAccount,
  whatsappConfigSchema,
} from "./config.js";
export {
  loginWhatsApp,
  renderQrTerminal,
  type WhatsAppLoginOptions,
  type WhatsAppLoginResult,
} from "./login.js";
export { jidToE164, normalizeWhatsAppMessage, type WhatsAppSelf } from "./normalize.js";
export { renderWhatsAppText } from "./render.js";
export {
  baileysSocketFactory,
  type WhatsAppSocket,
  type WhatsAppSocketFactory,
  type WhatsAppSocketOptions,
} from "./socket.js";
export {
  classifyDisconnect,
  createWhatsAppChannel,
  WHATSAPP_TEXT_LIMIT,
  type WhatsAppChannelOptions,
  whatsappMessageId,
} from "./whatsapp-channel.js";

/** The plugin registry calls this with the gateway's state dir (sessions live under it). */
export default function whatsappPlugin(context: {
  stateDir: string;
  env: NodeJS.ProcessEnv;
}): AnyChannelPlugin {
  return createWhatsAppChannel({ stateDir: context.stateDir, env: context.env });
}
