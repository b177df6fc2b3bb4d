/**
 * `@openclaw/core/cron`: the gateway's scheduler (cron jobs), the heartbeat runner and the
 * system-event queue between them. Loaded by the gateway after `/ready` only when there is
 * something to schedule, or with the first cron/heartbeat method call.
 */

export {
  DEFAULT_HEARTBEAT_PROMPT,
  HEARTBEAT_TOKEN,
  isEffectivelyEmpty,
  stripHeartbeatToken,
  withinActiveHours,
} from "../heartbeat/heartbeat-text.js";
export { HeartbeatService, type HeartbeatSettings } from "../heartbeat/service.js";
export {
  Automation,
  type AutomationOptions,
  automationFor,
  startAutomation,
  stopAutomation,
} from "./automation.js";
export { type Clock, ManualClock, systemClock } from "./clock.js";
export { type CommandResult, runCommand } from "./command.js";
export {
  CronInputError,
  describeSchedule,
  formatDuration,
  nextRunAfter,
  parseAt,
  parseDurationMs,
  validateSchedule,
} from "./schedule.js";
export {
  type AutomationLogger,
  type CronAddInput,
  type CronPatch,
  CronService,
  type RunOutcome,
} from "./service.js";
export { CronStore } from "./store.js";
export type * from "./types.js";
