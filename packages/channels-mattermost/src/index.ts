import { createMattermostChannel } from "./mattermost-channel.js";

/** Version of @openclaw/channels-mattermost, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";

export {
  listMattermostAccountIds,
  type MattermostAccount,
  mattermostConfigSchema,
  resolveMattermostAccount,
} from "./config.js";
export {
  createMattermostChannel,
  MATTERMOST_TEXT_LIMIT,
  type MattermostChannelOptions,
  mattermostPendingPostId,
  toMattermostChannelError,
} from "./mattermost-channel.js";
export { type MattermostPostedData, normalizeMattermostPost } from "./normalize.js";
export { renderMattermostMarkdown } from "./render.js";

/** Default instance (reads MATTERMOST_URL / MATTERMOST_BOT_TOKEN from process.env). */
export const mattermost = createMattermostChannel();
