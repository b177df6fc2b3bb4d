/** Version of @openclaw/channels-discord, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";

export {
  createDiscordChannel,
  DISCORD_TEXT_LIMIT,
  type DiscordAccount,
  discord,
  discordConfigSchema,
  discordNonce,
  normalizeDiscordMessage,
  resolveDiscordAccount,
} from "./discord-channel.js";
export { renderDiscordMarkdown } from "./render.js";
