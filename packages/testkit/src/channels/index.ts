export { createMockChannel, type MockChannel, type MockSentMessage } from "./mock-channel.js";
