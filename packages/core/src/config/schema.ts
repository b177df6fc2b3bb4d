import { z } from "zod";

// The canonical OpenClaw config schema (OpenClaw's own current key names, spec §3.4).
// Objects are strict so unknown keys surface as `unrecognized_keys` issues; the loader turns
// those into "ignored key" warnings (kept on disk, dropped from the effective config) and only
// treats a known key with an invalid value as an error. `.prefault({})` makes nested defaults
// apply when a whole block is missing (zod v4 `.default` would skip parsing the default).

const secretRef = z.strictObject({
  source: z.enum(["env", "file", "exec"]),
  provider: z.string().optional(),
  id: z.string(),
});
/** A secret: a plain string or a SecretRef `{ source, provider?, id }`. */
export const secretInputSchema = z.union([z.string(), secretRef]);

const stringList = z.array(z.string());
const stringOrNumberList = z.array(z.union([z.string(), z.number()]));
const looseRecord = z.record(z.string(), z.unknown());
/** Model reference: "provider/model" or `{ primary, fallbacks }`; normalized to the object form. */
const modelRef = z
  .union([z.string(), z.strictObject({ primary: z.string().optional(), fallbacks: stringList.optional() })])
  .transform((value) => (typeof value === "string" ? { primary: value } : value));

// ── gateway ────────────────────────────────────────────────────────────────────────────────────
const rateLimitSchema = z.strictObject({
  maxAttempts: z.number().int().positive().optional(),
  windowMs: z.number().int().positive().optional(),
  lockoutMs: z.number().int().nonnegative().optional(),
  exemptLoopback: z.boolean().optional(),
});

const gatewaySchema = z.strictObject({
  mode: z.enum(["local", "remote"]).optional(),
  port: z.number().int().min(1).max(65535).default(18789),
  bind: z.enum(["loopback", "lan", "tailnet", "auto", "custom"]).default("loopback"),
  customBindHost: z.string().optional(),
  auth: z
    .strictObject({
      mode: z.enum(["token", "password", "none", "trusted-proxy"]).optional(),
      token: secretInputSchema.optional(),
      password: secretInputSchema.optional(),
      allowTailscale: z.boolean().optional(),
      rateLimit: rateLimitSchema.optional(),
      trustedProxy: z
        .strictObject({
          userHeader: z.string().optional(),
          allowUsers: stringList.optional(),
          allowLoopback: z.boolean().optional(),
        })
        .optional(),
    })
    .prefault({}),
  trustedProxies: stringList.optional(),
  allowRealIpFallback: z.boolean().optional(),
  controlUi: z
    .strictObject({
      enabled: z.boolean().default(true),
      basePath: z.string().optional(),
      root: z.string().optional(),
      allowedOrigins: stringList.optional(),
      allowInsecureAuth: z.boolean().optional(),
      dangerouslyDisableDeviceAuth: z.boolean().optional(),
      dangerouslyAllowHostHeaderOriginFallback: z.boolean().optional(),
    })
    .prefault({}),
  tailscale: z
    .strictObject({
      mode: z.enum(["off", "serve", "funnel"]).optional(),
      resetOnExit: z.boolean().optional(),
    })
    .optional(),
  remote: z
    .strictObject({
      url: z.string().optional(),
      token: secretInputSchema.optional(),
      password: secretInputSchema.optional(),
      tlsFingerprint: z.string().optional(),
      sshTarget: z.string().optional(),
      sshIdentity: z.string().optional(),
    })
    .optional(),
  tls: looseRecord.optional(),
  reload: z
    .strictObject({
      mode: z.enum(["hybrid", "hot", "restart", "off"]).default("hybrid"),
      debounceMs: z.number().int().nonnegative().default(300),
    })
    .prefault({}),
  http: z
    .strictObject({
      endpoints: z
        .strictObject({
          chatCompletions: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
          responses: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
          // ours (opt-in, see docs/gateway.md): POST /tools/invoke and GET /metrics
          toolsInvoke: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
          metrics: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
  nodes: z
    .strictObject({
      allowCommands: stringList.optional(),
      denyCommands: stringList.optional(),
      pairing: z.strictObject({ autoApproveCidrs: stringList.optional() }).optional(),
      browser: looseRecord.optional(),
    })
    .optional(),
  tools: z.strictObject({ allow: stringList.optional(), deny: stringList.optional() }).optional(),
});

// ── agents ─────────────────────────────────────────────────────────────────────────────────────
const heartbeatSchema = z.strictObject({
  /** Duration (`30m`, `1h`; a bare number is minutes); `0` disables. */
  every: z.union([z.string(), z.number().nonnegative()]).optional(),
  accountId: z.string().optional(),
  /** OpenClaw 2026.9 keys: accepted; `skipWhenBusy: false` runs even while a turn is running. */
  skipWhenBusy: z.boolean().optional(),
  directPolicy: z.enum(["allow", "block"]).optional(),
  lightContext: z.boolean().optional(),
  isolatedSession: z.boolean().optional(),
  model: z.string().optional(),
  includeReasoning: z.boolean().optional(),
  target: z.string().optional(),
  to: z.string().optional(),
  prompt: z.string().optional(),
  ackMaxChars: z.number().int().nonnegative().optional(),
  session: z.string().optional(),
  activeHours: z
    .strictObject({ start: z.string(), end: z.string(), timezone: z.string().optional() })
    .optional(),
});

const memorySearchSchema = z.looseObject({
  enabled: z.boolean().optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
  fallback: z.string().optional(),
  extraPaths: stringList.optional(),
  sources: stringList.optional(),
  remote: z
    .looseObject({
      baseUrl: z.string().optional(),
      apiKey: secretInputSchema.optional(),
      headers: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  store: looseRecord.optional(),
  query: looseRecord.optional(),
  cache: looseRecord.optional(),
  local: looseRecord.optional(),
});

const sandboxSchema = z.looseObject({
  mode: z.enum(["off", "non-main", "all"]).optional(),
  scope: z.enum(["session", "agent", "shared"]).optional(),
  workspaceAccess: z.enum(["none", "ro", "rw"]).optional(),
  docker: looseRecord.optional(),
  browser: looseRecord.optional(),
  prune: looseRecord.optional(),
});

const agentToolsSchema = z.looseObject({
  profile: z.enum(["minimal", "coding", "messaging", "full"]).optional(),
  allow: stringList.optional(),
  deny: stringList.optional(),
  byProvider: looseRecord.optional(),
  elevated: looseRecord.optional(),
  exec: looseRecord.optional(),
});

const agentDefaultsSchema = z.strictObject({
  workspace: z.string().optional(),
  model: modelRef.prefault({}),
  imageModel: modelRef.optional(),
  models: z
    .record(z.string(), z.strictObject({ alias: z.string().optional(), params: looseRecord.optional() }))
    .default({}),
  thinkingDefault: z.string().optional(),
  verboseDefault: z.string().optional(),
  elevatedDefault: z.string().optional(),
  timeoutSeconds: z.number().positive().default(600),
  mediaMaxMb: z.number().positive().optional(),
  contextTokens: z.number().int().positive().optional(),
  maxConcurrent: z.number().int().positive().optional(),
  userTimezone: z.string().optional(),
  timeFormat: z.enum(["auto", "12", "24"]).optional(),
  bootstrapMaxChars: z.number().int().positive().default(20000),
  skipBootstrap: z.boolean().optional(),
  heartbeat: heartbeatSchema.optional(),
  subagents: looseRecord.optional(),
  sandbox: sandboxSchema.optional(),
  contextPruning: looseRecord.optional(),
  compaction: looseRecord.optional(),
  blockStreamingDefault: z.enum(["on", "off"]).optional(),
  blockStreamingBreak: z.enum(["text_end", "message_end"]).optional(),
  blockStreamingChunk: looseRecord.optional(),
  blockStreamingCoalesce: looseRecord.optional(),
  humanDelay: looseRecord.optional(),
  typingMode: z.enum(["never", "instant", "thinking", "message"]).optional(),
  typingIntervalSeconds: z.number().positive().optional(),
  memorySearch: memorySearchSchema.optional(),
  cliBackends: looseRecord.optional(),
});

const agentIdSchema = z
  .string()
  .trim()
  .min(1)
  .transform((id) => id.toLowerCase())
  .pipe(
    z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_-]{0,63}$/,
        "agent id: letters, digits, _ or -, at most 64, starting alphanumeric",
      ),
  );

const agentEntrySchema = z.strictObject({
  id: agentIdSchema,
  default: z.boolean().optional(),
  name: z.string().optional(),
  workspace: z.string().optional(),
  agentDir: z.string().optional(),
  model: modelRef.optional(),
  models: z
    .record(z.string(), z.strictObject({ alias: z.string().optional(), params: looseRecord.optional() }))
    .optional(),
  identity: z
    .looseObject({
      name: z.string().optional(),
      theme: z.string().optional(),
      emoji: z.string().optional(),
      avatar: z.string().optional(),
    })
    .optional(),
  groupChat: z.looseObject({ mentionPatterns: stringList.optional() }).optional(),
  sandbox: sandboxSchema.optional(),
  subagents: looseRecord.optional(),
  tools: agentToolsSchema.optional(),
  heartbeat: heartbeatSchema.optional(),
  humanDelay: looseRecord.optional(),
  memorySearch: memorySearchSchema.optional(),
  skills: stringList.optional(),
});

const agentsSchema = z.strictObject({
  defaults: agentDefaultsSchema.prefault({}),
  list: z.array(agentEntrySchema).default([]),
});

// ── bindings ───────────────────────────────────────────────────────────────────────────────────
const bindingSchema = z.strictObject({
  agentId: agentIdSchema,
  comment: z.string().optional(),
  match: z.strictObject({
    channel: z.string().min(1),
    accountId: z.string().optional(),
    peer: z
      .strictObject({
        kind: z
          .enum(["direct", "group", "channel", "dm"])
          .transform((kind) => (kind === "dm" ? "direct" : kind)),
        id: z.union([z.string(), z.number()]).transform(String),
        parent: z.looseObject({ kind: z.string(), id: z.string() }).optional(),
      })
      .optional(),
    guildId: z.union([z.string(), z.number()]).transform(String).optional(),
    teamId: z.string().optional(),
    roles: stringList.optional(),
  }),
});

// ── channels ───────────────────────────────────────────────────────────────────────────────────
/** Shared channel vocabulary; channel packages add their own keys (the record stays open). */
export const channelSharedShape = {
  enabled: z.boolean().optional(),
  name: z.string().optional(),
  dmPolicy: z.enum(["pairing", "allowlist", "open", "disabled"]).optional(),
  allowFrom: stringOrNumberList.optional(),
  groupPolicy: z.enum(["allowlist", "open", "disabled"]).optional(),
  groupAllowFrom: stringOrNumberList.optional(),
  groups: z
    .record(
      z.string(),
      z.looseObject({
        requireMention: z.boolean().optional(),
        allowFrom: stringOrNumberList.optional(),
        systemPrompt: z.string().optional(),
        skills: stringList.optional(),
        enabled: z.boolean().optional(),
      }),
    )
    .optional(),
  historyLimit: z.number().int().nonnegative().optional(),
  dmHistoryLimit: z.number().int().nonnegative().optional(),
  textChunkLimit: z.number().int().positive().optional(),
  chunkMode: z.string().optional(),
  blockStreaming: z.boolean().optional(),
  replyToMode: z.enum(["off", "first", "all"]).optional(),
  mediaMaxMb: z.number().positive().optional(),
  configWrites: z.boolean().optional(),
  markdown: z.looseObject({ tables: z.enum(["code", "bullets", "off"]).optional() }).optional(),
  heartbeat: z
    .looseObject({
      showOk: z.boolean().optional(),
      showAlerts: z.boolean().optional(),
      useIndicator: z.boolean().optional(),
    })
    .optional(),
  retry: z
    .looseObject({
      attempts: z.number().int().nonnegative().optional(),
      minDelayMs: z.number().nonnegative().optional(),
      maxDelayMs: z.number().nonnegative().optional(),
      jitter: z.number().nonnegative().optional(),
    })
    .optional(),
};
/**
 * Keys of the bundled WhatsApp, Signal, Matrix and Mattermost channels (each package validates its
 * own block again; typed here so a wrong type is caught by `config set` and at load).
 */
export const deviceChannelShape = {
  // WhatsApp
  authDir: z.string().optional(),
  sendReadReceipts: z.boolean().optional(),
  typing: z.boolean().optional(),
  sendPacingMs: z.number().int().nonnegative().optional(),
  // Signal
  account: z.string().optional(),
  httpUrl: z.string().optional(),
  cliPath: z.string().optional(),
  httpPort: z.number().int().min(0).max(65535).optional(),
  // Matrix
  homeserver: z.string().optional(),
  accessToken: z.string().optional(),
  userId: z.string().optional(),
  autoJoin: z.boolean().optional(),
  encryption: z.boolean().optional(),
  syncTimeoutMs: z.number().int().nonnegative().optional(),
};
const channelAccountSchema = z.looseObject({ ...channelSharedShape, ...deviceChannelShape });
/** One `channels.<id>` block: shared keys validated, channel-specific keys kept as-is. */
export const channelConfigSchema = z.looseObject({
  ...channelSharedShape,
  ...deviceChannelShape,
  accounts: z.record(z.string(), channelAccountSchema).optional(),
});

// ── models ─────────────────────────────────────────────────────────────────────────────────────
const modelDefinitionSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  reasoning: z.boolean().optional(),
  input: z.array(z.enum(["text", "image", "audio", "video", "document"])).optional(),
  cost: z
    .looseObject({
      input: z.number().optional(),
      output: z.number().optional(),
      cacheRead: z.number().optional(),
      cacheWrite: z.number().optional(),
    })
    .optional(),
  contextWindow: z.number().int().positive().optional(),
  maxTokens: z.number().int().positive().optional(),
});

const modelProviderSchema = z.strictObject({
  /** Project extension (FAQ): a disabled provider's models are ignored. Default true. */
  enabled: z.boolean().default(true),
  baseUrl: z.string().optional(),
  apiKey: secretInputSchema.optional(),
  api: z.string().optional(),
  auth: z.string().optional(),
  headers: z.record(z.string(), secretInputSchema).optional(),
  authHeader: z.union([z.boolean(), z.string()]).optional(),
  /** Auth profile to use for this provider (FAQ: `models.providers.<id>.profile`). */
  profile: z.string().optional(),
  models: z.array(modelDefinitionSchema).default([]),
});

const modelsSchema = z.strictObject({
  mode: z.enum(["merge", "replace"]).default("merge"),
  providers: z.record(z.string(), modelProviderSchema).default({}),
});

// ── remaining top-level blocks ─────────────────────────────────────────────────────────────────
const authSchema = z.strictObject({
  profiles: z
    .record(
      z.string(),
      z.looseObject({
        provider: z.string(),
        mode: z.enum(["api_key", "oauth", "token"]),
        email: z.string().optional(),
      }),
    )
    .optional(),
  order: z.record(z.string(), stringList).optional(),
  cooldowns: looseRecord.optional(),
});

const sessionSchema = z.strictObject({
  scope: z.enum(["per-sender", "global"]).default("per-sender"),
  dmScope: z.enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]).default("main"),
  mainKey: z.string().min(1).default("main"),
  identityLinks: z.record(z.string(), stringList).optional(),
  reset: z
    .strictObject({
      mode: z.enum(["daily", "idle"]).optional(),
      atHour: z.number().int().min(0).max(23).optional(),
      idleMinutes: z.number().positive().optional(),
    })
    .optional(),
  resetByType: looseRecord.optional(),
  resetByChannel: looseRecord.optional(),
  idleMinutes: z.number().positive().optional(),
  resetTriggers: stringList.default(["/new", "/reset"]),
  store: z.string().optional(),
  sendPolicy: looseRecord.optional(),
  agentToAgent: z.strictObject({ maxPingPongTurns: z.number().int().min(0).max(5).optional() }).optional(),
  typingMode: z.string().optional(),
  maintenance: looseRecord.optional(),
  writeLock: looseRecord.optional(),
});

const messagesSchema = z.strictObject({
  responsePrefix: z.string().optional(),
  ackReaction: z.string().optional(),
  ackReactionScope: z.string().optional(),
  removeAckAfterReply: z.boolean().optional(),
  groupChat: z
    .strictObject({
      historyLimit: z.number().int().nonnegative().default(50),
      mentionPatterns: stringList.optional(),
    })
    .prefault({}),
  queue: z
    .looseObject({
      mode: z.enum(["steer", "followup", "collect", "steer-backlog", "interrupt", "queue"]).optional(),
      debounceMs: z.number().nonnegative().optional(),
      cap: z.number().int().positive().optional(),
      drop: z.enum(["summarize", "old", "new"]).optional(),
      byChannel: looseRecord.optional(),
      debounceMsByChannel: looseRecord.optional(),
    })
    .optional(),
  inbound: z
    .looseObject({ debounceMs: z.number().nonnegative().optional(), byChannel: looseRecord.optional() })
    .optional(),
  tts: looseRecord.optional(),
});

const nativeToggle = z.union([z.boolean(), z.literal("auto")]);
const commandsSchema = z.strictObject({
  native: nativeToggle.default("auto"),
  nativeSkills: nativeToggle.default("auto"),
  text: z.boolean().default(true),
  bash: z.boolean().default(false),
  bashForegroundMs: z.number().nonnegative().default(2000),
  config: z.boolean().default(false),
  debug: z.boolean().default(false),
  restart: z.boolean().default(false),
  useAccessGroups: z.boolean().default(true),
  ownerAllowFrom: stringOrNumberList.optional(),
});

const toolsSchema = z.strictObject({
  profile: z.enum(["minimal", "coding", "messaging", "full"]).optional(),
  allow: stringList.optional(),
  deny: stringList.optional(),
  byProvider: looseRecord.optional(),
  elevated: z
    .strictObject({
      enabled: z.boolean().optional(),
      allowFrom: z.record(z.string(), stringOrNumberList).optional(),
    })
    .optional(),
  exec: looseRecord.optional(),
  // ours: file/exec tools refuse the gateway's own secrets unless this is true (docs/security.md)
  fs: z.looseObject({ allowGatewaySecrets: z.boolean().default(false) }).optional(),
  web: z
    .strictObject({
      search: z
        .looseObject({
          enabled: z.boolean().optional(),
          provider: z.string().optional(),
          apiKey: secretInputSchema.optional(),
          maxResults: z.number().int().positive().default(5),
          timeoutSeconds: z.number().positive().default(30),
          cacheTtlMinutes: z.number().nonnegative().default(15),
        })
        .prefault({}),
      fetch: z
        .looseObject({
          enabled: z.boolean().default(true),
          maxChars: z.number().int().positive().default(50000),
          readability: z.boolean().default(true),
          firecrawl: looseRecord.optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  sandbox: looseRecord.optional(),
  subagents: looseRecord.optional(),
  agentToAgent: z.strictObject({ enabled: z.boolean().optional(), allow: stringList.optional() }).optional(),
});

const cronScheduleSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("at"), at: z.string() }),
  z.strictObject({
    kind: z.literal("every"),
    everyMs: z.number().positive(),
    anchorMs: z.number().optional(),
  }),
  z.strictObject({
    kind: z.literal("cron"),
    expr: z.string().min(1),
    tz: z.string().optional(),
    staggerMs: z.number().optional(),
  }),
]);
/** Config-declared cron jobs (project extension; the FAQ's `automation.cron.jobs[]`). */
const cronJobSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  agentId: z.string().optional(),
  schedule: cronScheduleSchema,
  payload: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("systemEvent"), text: z.string() }),
    z.looseObject({ kind: z.literal("agentTurn"), message: z.string() }),
    z.strictObject({ kind: z.literal("command"), command: z.string().min(1) }),
  ]),
});
const cronSchema = z.strictObject({
  enabled: z.boolean().default(true),
  store: z.string().optional(),
  maxConcurrentRuns: z.number().int().positive().default(1),
  sessionRetention: z.union([z.string(), z.number()]).optional(),
  runLog: looseRecord.optional(),
  jobs: z.array(cronJobSchema).default([]),
});

const hooksSchema = z.looseObject({
  enabled: z.boolean().optional(),
  token: secretInputSchema.optional(),
  path: z.string().optional(),
  presets: stringList.optional(),
  transformsDir: z.string().optional(),
  mappings: z.array(looseRecord).optional(),
  gmail: looseRecord.optional(),
  defaultSessionKey: z.string().optional(),
  allowedAgentIds: stringList.optional(),
  allowRequestSessionKey: z.boolean().optional(),
  internal: looseRecord.optional(),
});

const skillsSchema = z.strictObject({
  allowBundled: stringList.optional(),
  load: z
    .strictObject({
      extraDirs: stringList.optional(),
      watch: z.boolean().default(true),
      watchDebounceMs: z.number().nonnegative().default(250),
    })
    .prefault({}),
  install: z
    .strictObject({
      preferBrew: z.boolean().optional(),
      nodeManager: z.enum(["npm", "pnpm", "yarn", "bun"]).optional(),
    })
    .optional(),
  entries: z
    .record(
      z.string(),
      z.looseObject({
        enabled: z.boolean().optional(),
        env: z.record(z.string(), z.string()).optional(),
        apiKey: secretInputSchema.optional(),
        config: looseRecord.optional(),
      }),
    )
    .optional(),
});

const pluginsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  allow: stringList.optional(),
  deny: stringList.optional(),
  load: z.looseObject({ paths: stringList.optional() }).optional(),
  entries: z
    .record(z.string(), z.looseObject({ enabled: z.boolean().optional(), config: looseRecord.optional() }))
    .default({}),
  slots: looseRecord.optional(),
  /** Written by `openclaw plugins install` (docs/plugins.md). */
  installs: z
    .record(
      z.string(),
      z.looseObject({
        source: z.enum(["path", "archive", "npm"]).optional(),
        spec: z.string().optional(),
        installPath: z.string().optional(),
        version: z.string().optional(),
        installedAt: z.string().optional(),
      }),
    )
    .optional(),
});

const logLevel = z.enum(["silent", "fatal", "error", "warn", "info", "debug", "trace"]);
const loggingSchema = z.strictObject({
  level: logLevel.default("info"),
  file: z.string().optional(),
  consoleLevel: logLevel.optional(),
  consoleStyle: z.enum(["pretty", "compact", "json"]).optional(),
  redactSensitive: z.enum(["off", "tools"]).default("tools"),
  redactPatterns: stringList.optional(),
  maxFileBytes: z.number().int().positive().optional(),
  /** Project extension (FAQ): log full model request/response payloads. */
  verboseModels: z.boolean().default(false),
});

const envSchema = z.looseObject({
  vars: z.record(z.string(), z.string()).optional(),
  shellEnv: z.looseObject({ enabled: z.boolean().optional(), timeoutMs: z.number().optional() }).optional(),
});

const browserSchema = z.looseObject({
  enabled: z.boolean().optional(),
  controlUrl: z.string().optional(),
  cdpUrl: z.string().optional(),
  defaultProfile: z.string().optional(),
  profiles: looseRecord.optional(),
  headless: z.boolean().optional(),
  executablePath: z.string().optional(),
  attachOnly: z.boolean().optional(),
});

/** The root schema. Top-level blocks this project does not implement are accepted as-is. */
export const openClawConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  meta: looseRecord.optional(),
  wizard: looseRecord.optional(),
  env: envSchema.optional(),
  gateway: gatewaySchema.prefault({}),
  agents: agentsSchema.prefault({}),
  bindings: z.array(bindingSchema).default([]),
  channels: z.record(z.string(), channelConfigSchema).default({}),
  models: modelsSchema.prefault({}),
  auth: authSchema.optional(),
  session: sessionSchema.prefault({}),
  messages: messagesSchema.prefault({}),
  commands: commandsSchema.prefault({}),
  tools: toolsSchema.prefault({}),
  cron: cronSchema.prefault({}),
  hooks: hooksSchema.optional(),
  skills: skillsSchema.prefault({}),
  plugins: pluginsSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  browser: browserSchema.optional(),
  // Known OpenClaw blocks we accept and keep but do not interpret (yet).
  diagnostics: looseRecord.optional(),
  update: looseRecord.optional(),
  ui: looseRecord.optional(),
  secrets: looseRecord.optional(),
  acp: looseRecord.optional(),
  nodeHost: looseRecord.optional(),
  broadcast: looseRecord.optional(),
  audio: looseRecord.optional(),
  media: looseRecord.optional(),
  approvals: looseRecord.optional(),
  web: looseRecord.optional(),
  discovery: looseRecord.optional(),
  canvasHost: looseRecord.optional(),
  talk: looseRecord.optional(),
  memory: looseRecord.optional(),
  mcp: looseRecord.optional(),
  identity: looseRecord.optional(),
  security: looseRecord.optional(),
  accessGroups: looseRecord.optional(),
});

/** Input shape (what a user may write, canonical spelling). */
export type OpenClawConfigInput = z.input<typeof openClawConfigSchema>;
/** Effective shape after validation and defaults. */
export type OpenClawConfigOutput = z.output<typeof openClawConfigSchema>;
