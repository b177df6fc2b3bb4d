import type { CronPayload, CronSchedule } from "@openclaw/protocol";

export type { CronPayload, CronSchedule };

/** `delivery` (newer form): `announce` sends an isolated run's reply to a chat. */
export type CronDelivery = {
  mode: "none" | "announce" | "webhook";
  channel?: string;
  to?: string;
  accountId?: string;
  bestEffort?: boolean;
};

export type CronRunStatus = "ok" | "error" | "skipped";
export type CronDeliveryStatus = "delivered" | "not-delivered" | "unknown" | "not-requested";

/** Where an isolated run's reply goes: a channel chat, or the main session's last chat (`last`). */
export interface CronDeliveryTarget {
  channel: string;
  to?: string;
  accountId?: string;
}

/** A reply waiting for delivery: durable before the send, so a restart delivers it once. */
export type PendingDelivery = {
  runAtMs: number;
  text: string;
  channel: string;
  to: string;
  accountId?: string;
  idempotencyKey: string;
  /** The send was started: after a crash it may have reached the chat. */
  attempted?: boolean;
};

export type CronJobState = {
  nextRunAtMs?: number;
  runningAtMs?: number;
  lastRunAtMs?: number;
  lastStatus?: CronRunStatus;
  lastRunStatus?: CronRunStatus;
  lastError?: string;
  lastDurationMs?: number;
  consecutiveErrors?: number;
  lastDelivered?: boolean;
  lastDeliveryStatus?: CronDeliveryStatus;
  lastDeliveryError?: string;
  pendingDelivery?: PendingDelivery;
};

/** A job as stored in `cron/jobs.json` and returned by `cron.list` (OpenClaw's shape). */
export type CronJob = {
  id: string;
  agentId?: string;
  sessionKey?: string;
  name: string;
  description?: string;
  enabled: boolean;
  deleteAfterRun?: boolean;
  createdAtMs: number;
  updatedAtMs: number;
  schedule: CronSchedule;
  sessionTarget: "main" | "isolated";
  wakeMode: "next-heartbeat" | "now";
  payload: CronPayload;
  delivery?: CronDelivery;
  state: CronJobState;
  /** `config` for jobs declared in `cron.jobs[]` (they follow the config file). */
  source?: "config";
};

/** One line of `cron/runs/<jobId>.jsonl`. */
export type CronRunLogEntry = {
  ts: number;
  jobId: string;
  jobName?: string;
  action: "finished";
  status: CronRunStatus;
  error?: string;
  summary?: string;
  sessionKey?: string;
  runAtMs?: number;
  durationMs?: number;
  nextRunAtMs?: number;
  model?: string;
  delivered?: boolean;
  deliveryStatus?: CronDeliveryStatus;
  deliveryError?: string;
};

/** `cron` event payload. */
export interface CronEvent {
  jobId: string;
  action: "added" | "updated" | "removed" | "started" | "finished";
  status?: CronRunStatus;
  error?: string;
  summary?: string;
  runAtMs?: number;
  durationMs?: number;
  nextRunAtMs?: number;
}

/** The part of core's assistant the automation uses (created on first need). */
export interface AutomationAssistant {
  submit: import("../assistant.js").Assistant["submit"];
  queueSystemEvent: import("../assistant.js").Assistant["queueSystemEvent"];
  sessions: Pick<import("../assistant.js").Assistant["sessions"], "get">;
  bus?: Pick<import("../assistant.js").Assistant["bus"], "on">;
}

/** A send through the channels' outbound path. */
export interface ChannelDelivery {
  channel: string;
  to: string;
  accountId?: string;
  text: string;
  idempotencyKey: string;
}
