/**
 * The parts of the OpenClaw config the agent runtime reads, typed loosely so both the loader's
 * effective config (`OpenClawConfig`) and a hand-written object in an embedding app fit.
 */
export type ModelRefConfig = string | { primary?: string; fallbacks?: string[] };

export interface RuntimeToolsLayer {
  profile?: string;
  allow?: string[];
  deny?: string[];
  byProvider?: Record<string, unknown>;
  exec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RuntimeAgentEntry {
  id: string;
  default?: boolean;
  name?: string;
  workspace?: string;
  agentDir?: string;
  model?: ModelRefConfig;
  models?: Record<string, { alias?: string; params?: Record<string, unknown> }>;
  identity?: { name?: string; emoji?: string; [key: string]: unknown };
  tools?: RuntimeToolsLayer;
  subagents?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RuntimeProviderConfig {
  enabled?: boolean;
  baseUrl?: string;
  apiKey?: unknown;
  api?: string;
  headers?: Record<string, unknown>;
  authHeader?: boolean | string;
  profile?: string;
  models?: {
    id: string;
    name?: string;
    contextWindow?: number;
    maxTokens?: number;
    reasoning?: boolean;
    cost?: Record<string, number | undefined>;
    [key: string]: unknown;
  }[];
  [key: string]: unknown;
}

export interface RuntimeConfig {
  agents?: {
    defaults?: {
      workspace?: string;
      model?: ModelRefConfig;
      models?: Record<string, { alias?: string; params?: Record<string, unknown> }>;
      thinkingDefault?: string;
      verboseDefault?: string;
      timeoutSeconds?: number;
      contextTokens?: number;
      maxConcurrent?: number;
      userTimezone?: string;
      bootstrapMaxChars?: number;
      skipBootstrap?: boolean;
      compaction?: Record<string, unknown>;
      subagents?: Record<string, unknown>;
      [key: string]: unknown;
    };
    list?: RuntimeAgentEntry[];
  };
  models?: { mode?: string; providers?: Record<string, RuntimeProviderConfig> };
  auth?: {
    profiles?: Record<string, { provider: string; mode: string; email?: string }>;
    order?: Record<string, string[]>;
    cooldowns?: Record<string, unknown>;
  };
  session?: {
    mainKey?: string;
    scope?: string;
    dmScope?: string;
    resetTriggers?: string[];
    [key: string]: unknown;
  };
  messages?: {
    queue?: {
      mode?: string;
      debounceMs?: number;
      cap?: number;
      drop?: string;
      byChannel?: Record<string, unknown>;
    };
    [key: string]: unknown;
  };
  commands?: { text?: boolean; ownerAllowFrom?: (string | number)[]; [key: string]: unknown };
  tools?: RuntimeToolsLayer & { web?: Record<string, unknown>; subagents?: Record<string, unknown> };
  channels?: Record<string, unknown>;
  [key: string]: unknown;
}
