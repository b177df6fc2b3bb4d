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
