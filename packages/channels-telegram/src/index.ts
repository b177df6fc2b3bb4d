/** Version of @openclaw/channels-telegram, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";

export {
  listTelegramAccountIds,
  resolveTelegramAccount,
  type TelegramAccount,
  telegramConfigSchema,
} from "./config.js";
export { normalizeTelegramMessage } from "./normalize.js";
export { renderTelegramHtml } from "./render.js";
export {
  createTelegramChannel,
  TELEGRAM_TEXT_LIMIT,
  type TelegramChannelOptions,
  telegram,
  toChannelError,
} from "./telegram-channel.js";
