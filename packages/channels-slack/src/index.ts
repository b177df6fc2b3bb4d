/** Version of @openclaw/channels-slack, injected at build time. */
export const VERSION: string =
  typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : "0.0.0-source";

export { renderSlackMrkdwn } from "./render.js";
export {
  createSlackChannel,
  normalizeSlackEvent,
  resolveSlackAccount,
  SLACK_TEXT_LIMIT,
  type SlackAccount,
  slack,
  slackConfigSchema,
} from "./slack-channel.js";
