import type { ErrorShape } from "@openclaw/protocol";

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
 * The config the gateway runs on, behind the smallest interface it needs. The assembly passes
 * core's config store; `createFileConfigStore` (this package) is the self-contained default.
 * Every auth check calls `snapshot()`, so an edit takes effect on the next check.
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
 * What the gateway needs from the assistant (core's `createAssistant`). Every method receives
 * already-validated params; results are sent to the client as-is.
 */
export interface GatewayAssistant {
  events?: GatewayEventSource;
  chatSend(params: JsonObject): Promise<JsonObject>;
  chatHistory(params: JsonObject): Promise<JsonObject>;
  chatAbort(params: JsonObject): Promise<JsonObject>;
  chatInject(params: JsonObject): Promise<JsonObject>;
  agent(params: JsonObject): Promise<JsonObject>;
  agentWait(params: JsonObject): Promise<JsonObject>;
  modelsList(params: JsonObject): Promise<JsonObject>;
  sessionsList(params: JsonObject): Promise<JsonObject>;
  sessionsPreview(params: JsonObject): Promise<JsonObject>;
  sessionsPatch(params: JsonObject): Promise<JsonObject>;
  sessionsReset(params: JsonObject): Promise<JsonObject>;
  sessionsDelete(params: JsonObject): Promise<JsonObject>;
  sessionsCompact(params: JsonObject): Promise<JsonObject>;
  wake?(params: JsonObject): Promise<JsonObject>;
  lastHeartbeat?(): Promise<JsonObject | null>;
  /**
   * `POST /tools/invoke` (body plus `messageChannel`/`accountId` from the headers); answers
   * `{ ok: true, result }` or `{ ok: false, status, error: { type, message } }`. Absent ⇒ 404.
   */
  invokeTool?(params: JsonObject): Promise<JsonObject>;
  /** Wait for in-flight runs during shutdown (bounded by the gateway). */
  drain?(): Promise<void>;
}

/** What the gateway needs from the channel manager (core's inbound). */
export interface GatewayChannels {
  status(params: { probe?: boolean; timeoutMs?: number }): Promise<JsonObject>;
  logout(params: JsonObject): Promise<JsonObject>;
  send(params: JsonObject): Promise<JsonObject>;
}

/** An error a handler throws to answer with a precise `ErrorShape`. */
export class GatewayMethodError extends Error {
  constructor(readonly shape: ErrorShape) {
    super(shape.message);
  }
}
