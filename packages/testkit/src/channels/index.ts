export * from "./channel-bench.js";
export {
  discordFixtures,
  type FakeDiscordFault,
  type FakeDiscordSent,
  FakeDiscordServer,
} from "./discord-fake.js";
export * from "./gateway-child.js";
export * from "./matrix-fake.js";
export * from "./mattermost-fake.js";
export * from "./media-bytes.js";
export { createMockChannel, type MockChannel, type MockSentMessage } from "./mock-channel.js";
export * from "./signal-fake.js";
export { type FakeSlackFault, type FakeSlackSent, FakeSlackServer, slackFixtures } from "./slack-fake.js";
export {
  type FakeTelegramCall,
  type FakeTelegramFault,
  type FakeTelegramOptions,
  type FakeTelegramSent,
  FakeTelegramServer,
  htmlVisibleText,
  telegramFixtures,
  telegramUpdate,
} from "./telegram-fake.js";
export * from "./whatsapp-fake.js";
