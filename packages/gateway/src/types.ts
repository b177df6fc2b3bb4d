import type { Assistant, ToolInvokeAnswer, ToolInvokeRequest } from "@openclaw/core";
import type { ErrorShape, MethodParsedParams, MethodResult } from "@openclaw/protocol";
import type { GatewayCapability } from "./methods/context.js";

/** A plain JSON object (the effective OpenClaw config, a params object, …). */
export type JsonObject = Record<string, unknown>;

/** What `config.get` returns and what the gateway reads its own settings from. */
export interface ConfigSnapshot {
  path: string;
  exists: boolean;
  raw: string | null;
  /** The effective config (defaults applied when the store does that). */
  config: JsonObject;
  /** `sha256:<hex>` of the raw file (or of "" when missing); the `baseHash` for writes. */
  hash: string;
  valid: boolean;
  issues?: { path: string; message: string; file?: string; line?: number; column?: number }[];
}

/**
 * The config the gateway runs on, behind the smallest interface it needs: core's config store
 * (`openConfigStore` from `@openclaw/core/config/store`) implements it.
 * Every auth check calls `snapshot()`, so an edit takes effect on the next check. A changed
 * config is a new `config` object (core's store never edits one in place): the gateway keeps
 * what it derives from a config object (the resolved auth) until `snapshot()` returns another.
 */
export interface GatewayConfigStore {
  readonly path: string;
  snapshot(): ConfigSnapshot;
  /** Replace the whole file with `raw` (JSON5) when `baseHash` matches. */
  set(raw: string, baseHash?: string): Promise<ConfigSnapshot>;
  /** JSON merge-patch (RFC 7386) onto the current config. */
  patch(patch: JsonObject, baseHash?: string): Promise<ConfigSnapshot>;
  /** Set one dotted path (used to write a generated token on first start). */
  setPath(path: string, value: unknown): Promise<ConfigSnapshot>;
  schema(): unknown;
  /** Called after the file changed on disk (or through this store). Returns an unsubscribe. */
  onChange(listener: (snapshot: ConfigSnapshot) => void): () => void;
  /**
   * Called when an edit on disk is rejected (syntax/schema error, empty file): the last good
   * config stays live and `snapshot()` reports `valid: false` with the issues (file, line).
   */
  onError?(listener: (error: Error, snapshot: ConfigSnapshot) => void): () => void;
  close?(): void;
}

/** Agent / chat events the gateway forwards to operator clients. */
export interface GatewayEventSource {
  on(event: "agent" | "chat", listener: (payload: JsonObject) => void): unknown;
  off(event: "agent" | "chat", listener: (payload: JsonObject) => void): unknown;
}

/**
 * The assistant as the gateway serves it: the capability that answers the chat, agent, session,
 * model and wake methods, the events it emits and its shutdown hook. The assembly passes core's
 * (`coreMethods` from `@openclaw/core/methods`, with `get` creating core's assistant on first
 * use); `createMemoryAssistant` is the self-contained stand-in.
 */
export interface GatewayAssistant {
  /** Handlers for its methods, or a loader for them (see {@link GatewayCapability}). */
  methods: GatewayCapability;
  /** Core's assistant behind `ctx.assistant()`, created on the first call that needs it. */
  get?(): Promise<Assistant>;
  /**
   * Whether `get()` already created it. Summaries (`health`, `status`) read the session index on
   * disk until then instead of creating the assistant for a connecting client.
   */
  running?(): boolean;
  /** `agent` / `chat` events, forwarded to the clients allowed to see them. */
  events?: GatewayEventSource;
  /**
   * `POST /tools/invoke` (body plus `messageChannel`/`accountId` from the headers); absent ⇒ 404.
   * Answers `{ ok: true, result }` or `{ ok: false, status, error: { type, message } }`.
   */
  invokeTool?(request: ToolInvokeRequest): Promise<ToolInvokeAnswer>;
  /** Wait for in-flight runs during shutdown (bounded by the gateway). */
  drain?(): Promise<void>;
}

/** What the gateway needs from the channel manager (core's `channelGatewayMethods`). */
export interface GatewayChannels {
  status(params: MethodParsedParams<"channels.status">): Promise<MethodResult<"channels.status">>;
  logout(params: MethodParsedParams<"channels.logout">): Promise<MethodResult<"channels.logout">>;
  send(params: MethodParsedParams<"send">): Promise<MethodResult<"send">>;
  /** `web.login.start` / `web.login.wait` (QR login of a device-linking channel). */
  loginStart?(params: MethodParsedParams<"web.login.start">): Promise<MethodResult<"web.login.start">>;
  loginWait?(params: MethodParsedParams<"web.login.wait">): Promise<MethodResult<"web.login.wait">>;
}

/** An error a handler throws to answer with a precise `ErrorShape`. */
export class GatewayMethodError extends Error {
  constructor(readonly shape: ErrorShape) {
    super(shape.message);
  }
}
