export { AsyncChannel } from "./async-channel.js";
export { CachedSessionStore } from "./cached-session-store.js";
export * from "./commands.js";
export * from "./compaction.js";
export type * from "./events.js";
export { type LaneName, LaneScheduler } from "./lanes.js";
export { SUMMARY_PREFIX, toModelMessages } from "./model-messages.js";
export * from "./model-stream.js";
export {
  compactSessionNow,
  DEFAULT_MODEL,
  ensureSessionEntry,
  executeTurn,
  type RuntimeDeps,
  resolveRunModels,
  type TurnInput,
  type TurnOutcome,
} from "./run.js";
export { freshSessionEntry, LoadedTranscript, TranscriptCache } from "./session-handle.js";
export * from "./session-key.js";
export * from "./session-queue.js";
export * from "./session-store.js";
export * from "./system-prompt.js";
export * from "./transcript.js";
