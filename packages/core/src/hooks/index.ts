/** `@openclaw/core/hooks`: webhook mappings (`hooks.mappings`), templates and replay keys. */
export {
  findMapping,
  type HookAction,
  type HookMapping,
  HookMappingError,
  HookReplayCache,
  type HookRequest,
  hookIdempotencyKey,
  hookReplayCache,
  renderTemplate,
  resolveHookAction,
} from "./mappings.js";
