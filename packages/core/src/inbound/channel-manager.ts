import path from "node:path";
import {
  type AnyChannelPlugin,
  ChannelError,
  type ChannelLogger,
  type ChannelProbeResult,
  isChannelPluginV1,
} from "@openclaw/protocol/channel";
import { DEFAULT_ACCOUNT_ID } from "../routing/resolve-route.js";
import { createFilePairingStore, type PairingStore } from "../state/dm-pairing-store.js";
import type { DropReason } from "./access-policy.js";
import { type AccountRuntime, runAccountLoop, stopAccount } from "./account-loop.js";
import {
  createInboundPipeline,
  type InboundAssistant,
  type InboundHostConfig,
  type InboundPipeline,
  type PipelineEvent,
  type UnsolicitedChannelReply,
} from "./inbound-pipeline.js";
import { InboxJournal } from "./inbox-journal.js";

/** Per-account status shown by `channels status` and the `channels.status` RPC. */
export interface ChannelAccountStatus {
  channel: string;
  accountId: string;
  enabled: boolean;
  configured: boolean;
  running: boolean;
  connected: boolean;
  lastError: string | null;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  lastConnectedAt: number | null;
  reconnectAttempts: number;
  self?: { id: string; username?: string; displayName?: string };
  details?: Record<string, unknown>;
  /** Inbound messages journaled. */
  received: number;
  /** Messages not handed to the agent, by reason (`mention required`, `pairing pending`, …). */
  dropped: Partial<Record<DropReason, number>>;
  /** Chunks delivered. */
  sent: number;
  probe?: ChannelProbeResult;
}

export interface ChannelsStatus {
  ts: number;
  channels: Record<string, { label: string; accounts: ChannelAccountStatus[] }>;
}

export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failures before the account stops retrying (logged, visible in status). */
  maxAttempts: number;
}

export interface ChannelManagerOptions {
  plugins: readonly unknown[];
  getConfig(): InboundHostConfig;
  /** State dir (`$OPENCLAW_STATE_DIR`): the inbox journal lives in `<stateDir>/channels/inbox.jsonl`. */
  stateDir: string;
  assistant: InboundAssistant;
  pairing?: PairingStore;
  logger?: ChannelLogger;
  reconnect?: Partial<ReconnectPolicy>;
  retry?: { attempts?: number; minDelayMs?: number; maxDelayMs?: number };
  now?: () => number;
  random?: () => number;
  /** Sleep between send retries (vendor retry_after goes through it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Receive pipeline events (for the bus / metrics). */
  onEvent?(event: PipelineEvent): void;
  /**
   * Called after an account's status changed (connected or not, a new error, its monitor
   * stopped): a copy of the status, so a caller awaits a state instead of polling `status()`.
   */
  onStatus?(status: ChannelAccountStatus): void;
}

export interface ChannelManager {
  readonly pipeline: InboundPipeline;
  readonly pairing: PairingStore;
  /** Open the journal, start every enabled + configured account, then recover unanswered messages. */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(options?: { probe?: boolean; timeoutMs?: number; channel?: string }): Promise<ChannelsStatus>;
  /** Stop the account(s) and forget their local session/credentials where the channel supports it. */
  logout(request: {
    channel: string;
    accountId?: string;
  }): Promise<{ channel: string; accountIds: string[]; loggedOut: boolean }>;
  /**
   * Interactive login of a device-linking channel (`web.login.*`): the account stops, the
   * plugin's `auth.login` runs (QRs go to `onQr`), then the account starts again, linked.
   */
  login(request: {
    channel: string;
    accountId?: string;
    onQr(qr: { payload: string; dataUrl: string }): void;
    signal?: AbortSignal;
  }): Promise<{ channel: string; accountId: string; self?: string }>;
  /** `send` RPC: Markdown → chunks → the channel, with idempotency keys. */
  send(request: {
    channel: string;
    accountId?: string;
    to: string;
    text: string;
    threadId?: string;
    idempotencyKey?: string;
  }): Promise<{ channel: string; messageIds: string[] }>;
  /** Start/stop accounts after a config change. */
  reload(): Promise<void>;
}

const consoleLogger: ChannelLogger = {
  debug: () => undefined,
  info: (m, d) => process.stderr.write(`[channels] ${m}${d ? ` ${JSON.stringify(d)}` : ""}\n`),
  warn: (m, d) => process.stderr.write(`[channels] WARN ${m}${d ? ` ${JSON.stringify(d)}` : ""}\n`),
  error: (m, d) => process.stderr.write(`[channels] ERROR ${m}${d ? ` ${JSON.stringify(d)}` : ""}\n`),
};

function prefixed(logger: ChannelLogger, tag: Record<string, unknown>): ChannelLogger {
  return {
    debug: (m, d) => logger.debug(m, { ...tag, ...d }),
    info: (m, d) => logger.info(m, { ...tag, ...d }),
    warn: (m, d) => logger.warn(m, { ...tag, ...d }),
    error: (m, d) => logger.error(m, { ...tag, ...d }),
  };
}

export class UnsupportedChannelPluginError extends Error {
  readonly code = "UNSUPPORTED_CHANNEL_PLUGIN";
  constructor(id: unknown, version: unknown) {
    super(
      `channel plugin ${String(id)} has specificationVersion ${String(version)}; this host supports "v1"`,
    );
    this.name = "UnsupportedChannelPluginError";
  }
}

/** The status of an account before it ever ran. */
export function newAccountStatus(plugin: AnyChannelPlugin, accountId: string): ChannelAccountStatus {
  return {
    channel: plugin.id,
    accountId,
    enabled: true,
    configured: false,
    running: false,
    connected: false,
    lastError: null,
    lastInboundAt: null,
    lastOutboundAt: null,
    lastConnectedAt: null,
    reconnectAttempts: 0,
    received: 0,
    dropped: {},
    sent: 0,
  };
}

/** Deliver a reply nobody waits for (sub-agent / agent-to-agent announce) to its session's last chat. */
async function deliverUnsolicited(
  reply: UnsolicitedChannelReply,
  pipeline: InboundPipeline,
  options: { getConfig(): InboundHostConfig; logger: ChannelLogger; onEvent(event: PipelineEvent): void },
): Promise<void> {
  const { route } = reply;
  const { logger, onEvent } = options;
  const accountId = route.accountId ?? DEFAULT_ACCOUNT_ID;
  const prefix = options.getConfig().messages?.responsePrefix;
  const text = reply.payloads
    .map((p) => p.text ?? "")
    .filter((t) => t.trim())
    .join("\n\n");
  try {
    await pipeline.sendInOrder(reply.sessionKey, {
      channel: route.channel,
      accountId,
      to: route.to,
      text: prefix ? `${prefix} ${text}` : text,
      idempotencyKey: `${reply.origin}:${reply.id}`,
      ...(route.threadId ? { threadId: route.threadId } : {}),
    });
    logger.info(`${reply.origin} reply delivered`, {
      channel: route.channel,
      sessionKey: reply.sessionKey,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn(`${reply.origin} reply not delivered: ${message}`, {
      channel: route.channel,
      accountId,
      sessionKey: reply.sessionKey,
    });
    onEvent({ type: "error", channel: route.channel, accountId, message });
  }
}

/** One account's status for `channels status` (a copy), probed when asked. */
async function accountStatus(
  plugin: AnyChannelPlugin,
  accountId: string,
  runtime: AccountRuntime | undefined,
  block: Record<string, unknown> | undefined,
  request: { probe?: boolean; timeoutMs?: number },
): Promise<ChannelAccountStatus> {
  const status: ChannelAccountStatus = runtime
    ? { ...runtime.status, dropped: { ...runtime.status.dropped } }
    : { ...newAccountStatus(plugin, accountId), enabled: block?.enabled !== false };
  if (!runtime) {
    try {
      const account = plugin.config.resolveAccount(block, accountId);
      status.configured = !plugin.config.unconfiguredReason?.(account);
    } catch (error) {
      status.lastError = `invalid config: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (request.probe && plugin.status?.probe) {
    try {
      const account = runtime?.account ?? plugin.config.resolveAccount(block, accountId);
      status.probe = await plugin.status.probe({ accountId, account, timeoutMs: request.timeoutMs ?? 5_000 });
    } catch (error) {
      status.probe = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
  return status;
}

const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 10 };

/** The plugins by id; a plugin of another spec version is refused. */
function pluginsById(candidates: readonly unknown[]): Map<string, AnyChannelPlugin> {
  const plugins = new Map<string, AnyChannelPlugin>();
  for (const candidate of candidates) {
    if (!isChannelPluginV1(candidate)) {
      const c = candidate as { id?: unknown; specificationVersion?: unknown } | null;
      throw new UnsupportedChannelPluginError(c?.id, c?.specificationVersion);
    }
    plugins.set(candidate.id, candidate);
  }
  return plugins;
}

/** Count a pipeline event in its account's status. */
function countEvent(status: ChannelAccountStatus, event: PipelineEvent): void {
  if (event.type === "inbound") {
    status.received++;
    status.lastInboundAt = event.at;
  } else if (event.type === "drop") status.dropped[event.reason] = (status.dropped[event.reason] ?? 0) + 1;
  else if (event.type === "outbound") {
    status.sent++;
    status.lastOutboundAt = event.at;
  } else if (event.type === "error") status.lastError = event.message;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A plugin's account ids for its config block. A plugin that throws here is contained: it gets
 * its default account, which carries the error in its status and does not run.
 */
function accountIdsOf(
  plugin: AnyChannelPlugin,
  block: Record<string, unknown> | undefined,
): { ids: string[]; error?: string } {
  try {
    return { ids: [...plugin.config.listAccountIds(block)] };
  } catch (error) {
    return {
      ids: [DEFAULT_ACCOUNT_ID],
      error: `channel plugin failed in listAccountIds: ${errorText(error)}`,
    };
  }
}

interface DesiredAccount {
  plugin: AnyChannelPlugin;
  accountId: string;
  /** Why the account cannot run although its block is enabled (the plugin threw listing it). */
  error?: string;
}

/** The accounts of enabled channel blocks. */
function enabledAccounts(
  plugins: Map<string, AnyChannelPlugin>,
  channelBlock: (id: string) => Record<string, unknown> | undefined,
): DesiredAccount[] {
  const out: DesiredAccount[] = [];
  for (const plugin of plugins.values()) {
    const block = channelBlock(plugin.id);
    if (!block || block.enabled === false) continue;
    const { ids, error } = accountIdsOf(plugin, block);
    for (const accountId of ids) out.push({ plugin, accountId, ...(error ? { error } : {}) });
  }
  return out;
}

/** Resolve the account's config into the runtime; false when it cannot run (invalid, unconfigured, disabled). */
function resolveRuntimeAccount(
  runtime: AccountRuntime,
  block: Record<string, unknown> | undefined,
  log: ChannelLogger,
): boolean {
  const { plugin, status } = runtime;
  let unconfigured: string | undefined;
  try {
    runtime.account = plugin.config.resolveAccount(block, runtime.accountId);
    status.enabled = plugin.config.isEnabled?.(runtime.account) ?? true;
    unconfigured = plugin.config.unconfiguredReason?.(runtime.account) ?? undefined;
  } catch (error) {
    status.configured = false;
    status.lastError = `invalid config: ${errorText(error)}`;
    log.error(status.lastError);
    return false;
  }
  status.configured = !unconfigured;
  if (unconfigured || !status.enabled) {
    status.lastError = unconfigured ?? null;
    return false;
  }
  return true;
}

/** Stop the plugin's accounts (one, or all) and log them out where the channel supports it. */
async function logoutAccounts(
  plugin: AnyChannelPlugin,
  runtimes: Iterable<AccountRuntime>,
  onlyAccountId: string | undefined,
): Promise<{ accountIds: string[]; loggedOut: boolean }> {
  const accountIds: string[] = [];
  let loggedOut = false;
  for (const runtime of runtimes) {
    if (runtime.plugin !== plugin) continue;
    if (onlyAccountId && runtime.accountId !== onlyAccountId) continue;
    await stopAccount(runtime);
    if (plugin.gateway.logoutAccount) {
      await plugin.gateway.logoutAccount({ accountId: runtime.accountId, account: runtime.account });
      loggedOut = true;
    }
    accountIds.push(runtime.accountId);
  }
  return { accountIds, loggedOut };
}

/** Where a reply to this account goes, while it runs. */
function runningTarget(runtime: AccountRuntime | undefined) {
  return runtime?.status.running ? { plugin: runtime.plugin, account: runtime.account } : undefined;
}

/** The account of a `send` without `accountId`: the default one if it exists, else a running one. */
function sendingAccount(plugin: AnyChannelPlugin, runtimes: Map<string, AccountRuntime>): string {
  if (runtimes.has(`${plugin.id}/${DEFAULT_ACCOUNT_ID}`)) return DEFAULT_ACCOUNT_ID;
  return (
    [...runtimes.values()].find((r) => r.plugin === plugin && r.status.running)?.accountId ??
    DEFAULT_ACCOUNT_ID
  );
}

/** Hand `onStatus` a copy of the account's status; a throwing listener is logged, not raised. */
function notifyStatus(options: ChannelManagerOptions, logger: ChannelLogger, runtime: AccountRuntime): void {
  try {
    options.onStatus?.({ ...runtime.status, dropped: { ...runtime.status.dropped } });
  } catch (error) {
    logger.warn(`onStatus listener threw: ${errorText(error)}`);
  }
}

/** The plugin of a request's channel; REJECTED when no plugin has that id. */
function knownPlugin(plugins: Map<string, AnyChannelPlugin>, channel: string): AnyChannelPlugin {
  const plugin = plugins.get(channel);
  if (!plugin) throw new ChannelError("REJECTED", `unknown channel: ${channel}`);
  return plugin;
}

/** A device-linking plugin's `auth.login` for one account (QRs to `request.onQr`, text to the log). */
function pluginLogin(
  plugin: AnyChannelPlugin,
  block: Record<string, unknown> | undefined,
  accountId: string,
  request: { onQr(qr: { payload: string; dataUrl: string }): void; signal?: AbortSignal },
  logger: ChannelLogger,
) {
  if (!plugin.auth) throw new ChannelError("REJECTED", `${plugin.id} has no QR login (it takes a token)`);
  return plugin.auth.login({
    accountId,
    account: plugin.config.resolveAccount(block, accountId),
    print: (text) => logger.info(text, { channel: plugin.id, accountId }),
    onQr: request.onQr,
    ...(request.signal ? { signal: request.signal } : {}),
  });
}

/** `channels status`: every plugin's listed and running accounts, probed when asked. */
async function channelsStatus(
  plugins: Map<string, AnyChannelPlugin>,
  request: { probe?: boolean; timeoutMs?: number; channel?: string },
  host: {
    now: () => number;
    channelBlock: (id: string) => Record<string, unknown> | undefined;
    runtimeOf: (channel: string, accountId: string) => AccountRuntime | undefined;
    runtimes: () => Iterable<AccountRuntime>;
  },
): Promise<ChannelsStatus> {
  const result: ChannelsStatus = { ts: host.now(), channels: {} };
  for (const plugin of plugins.values()) {
    if (request.channel && request.channel !== plugin.id) continue;
    const accounts: ChannelAccountStatus[] = [];
    const block = host.channelBlock(plugin.id);
    const listed = accountIdsOf(plugin, block);
    const ids = new Set(listed.ids);
    for (const runtime of host.runtimes()) if (runtime.plugin === plugin) ids.add(runtime.accountId);
    for (const accountId of ids) {
      const account = await accountStatus(
        plugin,
        accountId,
        host.runtimeOf(plugin.id, accountId),
        block,
        request,
      );
      if (listed.error) account.lastError ??= listed.error;
      accounts.push(account);
    }
    result.channels[plugin.id] = { label: plugin.meta.label, accounts };
  }
  return result;
}

export function createChannelManager(options: ChannelManagerOptions): ChannelManager {
  const plugins = pluginsById(options.plugins);
  const logger = options.logger ?? consoleLogger;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const reconnect: ReconnectPolicy = { ...DEFAULT_RECONNECT, ...options.reconnect };
  const pairing = options.pairing ?? createFilePairingStore({ stateDir: options.stateDir });
  const runtimes = new Map<string, AccountRuntime>();
  const keyOf = (channel: string, accountId: string) => `${channel}/${accountId}`;
  let journal: InboxJournal | undefined;
  let pipeline: InboundPipeline | undefined;
  let started = false;
  let unsubscribe: (() => void) | undefined;

  const onEvent = (event: PipelineEvent) => {
    const runtime = runtimes.get(keyOf(event.channel, event.accountId));
    if (runtime) countEvent(runtime.status, event);
    options.onEvent?.(event);
  };

  const statusChanged = (runtime: AccountRuntime) => notifyStatus(options, logger, runtime);

  function channelBlock(id: string) {
    return options.getConfig().channels?.[id] as Record<string, unknown> | undefined;
  }

  const desiredAccounts = () => enabledAccounts(plugins, channelBlock);

  function startAccount({ plugin, accountId, error }: DesiredAccount) {
    const key = keyOf(plugin.id, accountId);
    const runtime: AccountRuntime = runtimes.get(key) ?? {
      plugin,
      accountId,
      account: undefined,
      status: newAccountStatus(plugin, accountId),
    };
    runtimes.set(key, runtime);
    const log = prefixed(logger, { channel: plugin.id, accountId });
    if (error) {
      runtime.status.lastError = error;
      log.error(`${error}; the channel does not run (the other channels do)`);
    }
    if (error || !resolveRuntimeAccount(runtime, channelBlock(plugin.id), log)) {
      statusChanged(runtime);
      return;
    }
    const controller = new AbortController();
    runtime.controller = controller;
    runtime.status.running = true;
    runtime.loop = runAccountLoop(runtime, controller.signal, log, {
      reconnect,
      now,
      random,
      changed: () => statusChanged(runtime),
      inbound: (message) =>
        pipeline ? pipeline.receive(message) : Promise.reject(new Error("channel manager not started")),
    });
  }

  const manager: ChannelManager = {
    get pipeline() {
      if (!pipeline) throw new Error("channel manager not started");
      return pipeline;
    },
    pairing,
    async start() {
      if (started) return;
      started = true;
      journal = await InboxJournal.open({ file: path.join(options.stateDir, "channels", "inbox.jsonl") });
      pipeline = createInboundPipeline({
        journal,
        pairing,
        assistant: options.assistant,
        getConfig: options.getConfig,
        resolveAccount: (channel, accountId) => runningTarget(runtimes.get(keyOf(channel, accountId))),
        logger,
        onEvent,
        now,
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
      for (const desired of desiredAccounts()) startAccount(desired);
      unsubscribe = options.assistant.onUnsolicitedReply?.((reply) => {
        if (plugins.has(reply.route.channel) && pipeline)
          void deliverUnsolicited(reply, pipeline, { getConfig: options.getConfig, logger, onEvent });
      });
      await pipeline.recover();
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      pipeline?.stop();
      // Let in-flight journal writes finish (bounded: a hung agent turn stays open for recovery).
      if (pipeline) await Promise.race([pipeline.idle(), new Promise((r) => setTimeout(r, 1_000).unref())]);
      await Promise.all([...runtimes.values()].map(stopAccount));
      await journal?.dispose();
      journal = undefined;
      pipeline = undefined;
      started = false;
    },
    async reload() {
      const wanted = new Set(desiredAccounts().map(({ plugin, accountId }) => keyOf(plugin.id, accountId)));
      for (const [key, runtime] of runtimes)
        if (!wanted.has(key) && runtime.status.running) await stopAccount(runtime);
      for (const desired of desiredAccounts()) {
        const runtime = runtimes.get(keyOf(desired.plugin.id, desired.accountId));
        if (!runtime?.status.running) startAccount(desired);
      }
    },
    status: (request = {}) =>
      channelsStatus(plugins, request, {
        now,
        channelBlock,
        runtimeOf: (channel, accountId) => runtimes.get(keyOf(channel, accountId)),
        runtimes: () => runtimes.values(),
      }),
    async logout(request) {
      const plugin = knownPlugin(plugins, request.channel);
      const { accountIds, loggedOut } = await logoutAccounts(plugin, runtimes.values(), request.accountId);
      return { channel: plugin.id, accountIds, loggedOut };
    },
    async login(request) {
      const plugin = knownPlugin(plugins, request.channel);
      if (!plugin.auth) throw new ChannelError("REJECTED", `${plugin.id} has no QR login (it takes a token)`);
      const accountId = request.accountId ?? "default";
      const runtime = runtimes.get(keyOf(plugin.id, accountId));
      if (runtime) await stopAccount(runtime);
      const result = await pluginLogin(plugin, channelBlock(plugin.id), accountId, request, logger);
      if (started && desiredAccounts().some((d) => d.plugin === plugin && d.accountId === accountId))
        startAccount({ plugin, accountId });
      return { channel: plugin.id, accountId, ...(result.self ? { self: result.self } : {}) };
    },
    async send(request) {
      if (!pipeline) throw new ChannelError("REJECTED", "channels are not running");
      const plugin = knownPlugin(plugins, request.channel);
      const accountId = request.accountId ?? sendingAccount(plugin, runtimes);
      const result = await pipeline.sendText({
        channel: plugin.id,
        accountId,
        to: request.to,
        text: request.text,
        idempotencyKey: request.idempotencyKey ?? `send:${now()}:${Math.floor(random() * 1e9)}`,
        ...(request.threadId ? { threadId: request.threadId } : {}),
      });
      return { channel: plugin.id, messageIds: result.messageIds };
    },
  };
  return manager;
}
