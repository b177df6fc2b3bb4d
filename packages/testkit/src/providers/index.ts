export type { FakeAnthropicServer } from "./fake-anthropic-server.js";
export { anthropicTextReply, startFakeAnthropic } from "./fake-anthropic-server.js";
export type { FakeGeminiServer } from "./fake-gemini-server.js";
export { geminiTextReply, startFakeGemini } from "./fake-gemini-server.js";
export type {
  FakeHttpServer,
  FakeReply,
  FakeRouteHandler,
  RecordedRequest,
  SseFixtureLine,
  StartFakeHttpServerOptions,
  StreamReplyOptions,
} from "./fake-http-server.js";
export {
  jsonReply,
  ndjsonReply,
  rawStreamReply,
  readJsonFixture,
  readJsonlFixture,
  sseEvent,
  sseReply,
  startFakeHttpServer,
} from "./fake-http-server.js";
export type { FakeOllamaServer } from "./fake-ollama-server.js";
export { ollamaTextReply, startFakeOllama } from "./fake-ollama-server.js";
export type { FakeOpenAIServer, OpenAIChatScript } from "./fake-openai-server.js";
export {
  fakeEmbedding,
  fakeSemanticEmbedding,
  openaiChatReply,
  openaiErrorReply,
  startFakeOpenAI,
} from "./fake-openai-server.js";
export type { FixtureReplyOptions } from "./fixture-reply.js";
export { fixtureErrorReply, fixtureReply } from "./fixture-reply.js";
export type {
  MockLanguageModelV1Options,
  MockModelProviderOptions,
  MockStreamScript,
  MockStreamScriptSource,
} from "./mock-language-model-v1.js";
export {
  createMockProvider,
  MockLanguageModelV1,
  mockProviderError,
  mockTextResponse,
  mockToolCallResponse,
} from "./mock-language-model-v1.js";
