import type { z } from "zod";
import type { FormattedText, RenderedChunk } from "./formatted-text.js";
import type { ChatType, InboundMedia, InboundMessageInput } from "./inbound-message.js";

/** Minimal logger a channel receives; the host tags lines with channel and account. */
export interface ChannelLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Per-account runtime state a channel reports; the host adds counters and timestamps. */
export interface ChannelStatusPatch {
  connected?: boolean;
  lastError?: string | null;
  /** Bot identity once known (username, id) — shown by `channels status`. */
  self?: { id: string; username?: string; displayName?: string };
  /** Free-form details (mode: polling/webhook, gateway session, …). */
  details?: Record<string, unknown>;
}

/** Result of `ctx.inbound(message)`. */
export interface InboundAck {
  /** `journaled`: stored durably (ack the vendor offset now). `duplicate`: seen before, ack too. `rejected`: malformed. */
  status: "journaled" | "duplicate" | "rejected";
  reason?: string;
}

/** Context given to `gateway.startAccount`. The account runs until `abortSignal` fires. */
export interface ChannelAccountContext<Account = unknown> {
  readonly channel: string;
  readonly accountId: string;
  readonly account: Account;
  readonly abortSignal: AbortSignal;
  readonly logger: ChannelLogger;
  setStatus(patch: ChannelStatusPatch): void;
  /**
   * Hand a normalized message to the host. Resolves once the message is journaled durably, so the
   * channel acknowledges its cursor/offset/envelope only then. Never rejects for policy reasons
   * (drops are the host's business); rejects only when the journal cannot be written.
   */
  inbound(message: InboundMessageInput): Promise<InboundAck>;
}

/** Where an outbound message goes. */
export interface OutboundTarget {
  /** Chat/channel/user id as the vendor expects it. */
  to: string;
  threadId?: string;
  isForumTopic?: boolean;
  replyToMessageId?: string;
}

export interface SendTextRequest<Account = unknown> extends OutboundTarget {
  accountId: string;
  account: Account;
  /** One chunk, already rendered with `render`. Channels post it as ONE vendor message. */
  chunk: RenderedChunk;
  /**
   * Stable per (inbound message, reply chunk). A channel that retries must not post the same key
   * twice; the host also records delivered keys and never calls sendText again for a delivered key.
   */
  idempotencyKey: string;
  signal?: AbortSignal;
  /**
   * Given by the host when the channel declares `capabilities.reportsDispatch`: the channel calls
   * and awaits it once, just before the request leaves the process (after any local throttle
   * queue), and the host journals the send intent then. A request that never left (a crash while
   * it waited in a queue) is therefore sent after a restart instead of being recorded as uncertain.
   */
  onDispatch?: () => Promise<void>;
}

export interface SendMediaRequest<Account = unknown> extends OutboundTarget {
  accountId: string;
  account: Account;
  media: { url?: string; data?: Uint8Array; mimeType?: string; fileName?: string };
  caption?: RenderedChunk;
  idempotencyKey: string;
  signal?: AbortSignal;
  /**
   * Given by the host when the channel declares `capabilities.reportsDispatch`: the channel calls
   * and awaits it once, just before the request leaves the process (after any local throttle
   * queue), and the host journals the send intent then. A request that never left (a crash while
   * it waited in a queue) is therefore sent after a restart instead of being recorded as uncertain.
   */
  onDispatch?: () => Promise<void>;
}

export interface EditTextRequest<Account = unknown> {
  accountId: string;
  account: Account;
  to: string;
  messageId: string;
  chunk: RenderedChunk;
  signal?: AbortSignal;
}

export interface DeliveryResult {
  /** The vendor's id of the posted message (for edits, reply threading, audit). */
  messageId: string;
}

export interface ChannelCapabilities {
  chatTypes: readonly ChatType[];
  threads: boolean;
  reactions: boolean;
  media: boolean;
  edits: boolean;
  /** Hard vendor limit in UTF-16 units for one text message (Telegram 4096, Discord 2000). */
  maxTextLength: number;
  nativeCommands?: boolean;
  /**
   * True when `sendText` dedupes on `idempotencyKey` at the vendor (Discord `nonce` +
   * `enforce_nonce`), so the host may retry an AMBIGUOUS failure. Otherwise an ambiguous send is
   * recorded as uncertain and not repeated (never posted twice).
   */
  idempotentSend?: boolean;
  /**
   * True when `sendText`/`sendMedia` call `request.onDispatch` just before the request is written
   * to the network, so the host records the intent then rather than before the call.
   */
  reportsDispatch?: boolean;
}

export interface ChannelMeta {
  label: string;
  blurb?: string;
  docsPath?: string;
  aliases?: readonly string[];
}

/** Channel-specific config of one account, as resolved by the channel (credentials merged). */
export interface ChannelConfigAdapter<Account> {
  /** Account ids configured under `channels.<id>` (`default` for top-level credentials). */
  listAccountIds(channelConfig: Record<string, unknown> | undefined): string[];
  /** Merge top-level keys with `accounts.<accountId>` and parse them. Throws a readable Error when invalid. */
  resolveAccount(channelConfig: Record<string, unknown> | undefined, accountId: string): Account;
  /** Why the account cannot start (missing token), or undefined when it can. */
  unconfiguredReason?(account: Account): string | undefined;
  isEnabled?(account: Account): boolean;
}

export interface ChannelGatewayAdapter<Account> {
  /** Long-running monitor; resolve when `ctx.abortSignal` fires, reject on a fatal error (the host reconnects with backoff). */
  startAccount(ctx: ChannelAccountContext<Account>): Promise<void>;
  stopAccount?(ctx: { accountId: string; account: Account }): Promise<void>;
  /** Forget local credentials/session (`channels logout`). */
  logoutAccount?(ctx: { accountId: string; account: Account }): Promise<void>;
}

export interface ChannelOutboundAdapter<Account> {
  /** Render one IR chunk into the channel's markup. */
  render(ir: FormattedText): RenderedChunk;
  /** Post one chunk. Throw a `ChannelError` so the host knows whether a retry is safe. */
  sendText(request: SendTextRequest<Account>): Promise<DeliveryResult>;
  sendMedia?(request: SendMediaRequest<Account>): Promise<DeliveryResult>;
  editText?(request: EditTextRequest<Account>): Promise<DeliveryResult>;
  sendTyping?(request: { accountId: string; account: Account; to: string; threadId?: string }): Promise<void>;
  /** Acknowledge receipt with a reaction (Discord/Slack ack reaction). */
  react?(request: {
    accountId: string;
    account: Account;
    to: string;
    messageId: string;
    emoji: string;
  }): Promise<void>;
}

/** Downloads of inbound media (`InboundMessage.media[].ref`), done by the host when a turn needs them. */
export interface ChannelMediaAdapter<Account> {
  /**
   * Download one inbound media item through the vendor's API, asynchronously, reading at most
   * `maxBytes`: a larger file throws `MediaTooLargeError` (see `readCapped` / `fetchCapped`)
   * without buffering past the cap. Any other failure throws an Error whose message says why;
   * the host then puts a note in the message text (the message itself is never lost).
   */
  download(request: {
    accountId: string;
    account: Account;
    media: InboundMedia;
    maxBytes: number;
    signal?: AbortSignal;
  }): Promise<{ data: Uint8Array; mimeType?: string }>;
}

export interface ChannelPairingAdapter {
  /** How a sender id is labelled in pairing prompts (`Telegram user id`). */
  idLabel: string;
  normalizeAllowEntry?(entry: string): string;
}

/** Interactive login (`openclaw channels login --channel <id>`): QR linking, device links. */
export interface ChannelAuthAdapter<Account> {
  login(ctx: {
    accountId: string;
    account: Account;
    /** Write to the user's terminal (a QR code rendered as text, instructions). */
    print(text: string): void;
    /** Given by a web client's login (`web.login.start`): each QR as a PNG data URL, not printed. */
    onQr?(qr: { payload: string; dataUrl: string }): void;
    signal?: AbortSignal;
  }): Promise<{
    /** Who is now logged in (`+15551234567`). */
    self?: string;
    /** Keys to save in the account's config block (`{ account: "+1555…" }`). */
    config?: Record<string, unknown>;
  }>;
}

export interface ChannelProbeResult {
  ok: boolean;
  /** Bot identity when the probe reached the vendor. */
  self?: { id: string; username?: string };
  error?: string;
  elapsedMs?: number;
}

export interface ChannelStatusAdapter<Account> {
  probe?(request: { accountId: string; account: Account; timeoutMs: number }): Promise<ChannelProbeResult>;
}

/**
 * Version 1 of the channel plugin contract. A third party implements this interface alone; the
 * host (core) owns access control, routing, journaling, chunking and idempotency.
 */
export interface ChannelPluginV1<Account = unknown> {
  readonly specificationVersion: "v1";
  readonly id: string;
  readonly meta: ChannelMeta;
  readonly capabilities: ChannelCapabilities;
  /** zod schema of `channels.<id>` (top level; accounts share the same keys). */
  readonly configSchema?: z.ZodType;
  readonly config: ChannelConfigAdapter<Account>;
  readonly gateway: ChannelGatewayAdapter<Account>;
  readonly outbound: ChannelOutboundAdapter<Account>;
  /** Inbound media downloads: without it, media stays a reference line in the message text. */
  readonly media?: ChannelMediaAdapter<Account>;
  readonly pairing?: ChannelPairingAdapter;
  readonly status?: ChannelStatusAdapter<Account>;
  /** Interactive login for channels that link a device instead of taking a token. */
  readonly auth?: ChannelAuthAdapter<Account>;
}

/** Any ChannelPluginV1 regardless of its account type. */
// biome-ignore lint/suspicious/noExplicitAny: account type is opaque to the host
export type AnyChannelPlugin = ChannelPluginV1<any>;

/** True when `value` looks like a ChannelPluginV1 (the host rejects other versions with a typed error). */
export function isChannelPluginV1(value: unknown): value is AnyChannelPlugin {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { specificationVersion?: unknown }).specificationVersion === "v1" &&
    typeof (value as { id?: unknown }).id === "string"
  );
}
