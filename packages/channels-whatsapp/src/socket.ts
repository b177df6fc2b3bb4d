import type { AuthenticationState, WAMessage } from "baileys";

/**
 * The Baileys socket boundary the channel uses: `makeWASocket`'s event emitter and send calls.
 * The default factory builds a real Baileys socket; tests pass a factory whose socket speaks to a
 * fake (the WhatsApp Web protocol itself — Noise handshake pinned to WhatsApp's certificates —
 * cannot be served locally).
 */
export interface WhatsAppSocket {
  ev: {
    // biome-ignore lint/suspicious/noExplicitAny: Baileys' event map is typed per event
    on(event: string, listener: (data: any) => void): unknown;
    // biome-ignore lint/suspicious/noExplicitAny: Baileys' event map is typed per event
    off(event: string, listener: (data: any) => void): unknown;
  };
  user?: { id: string; lid?: string; name?: string } | undefined;
  sendMessage(
    jid: string,
    content: Record<string, unknown>,
    options?: { messageId?: string; quoted?: WAMessage },
  ): Promise<WAMessage | undefined>;
  sendPresenceUpdate(type: "composing" | "paused" | "available" | "unavailable", jid?: string): Promise<void>;
  readMessages(keys: WAMessage["key"][]): Promise<void>;
  logout(message?: string): Promise<void>;
  end(error: Error | undefined): void;
}

/** pino-shaped logger Baileys expects. */
export interface BaileysLogger {
  level: string;
  child(bindings: Record<string, unknown>): BaileysLogger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface WhatsAppSocketOptions {
  accountId: string;
  auth: AuthenticationState;
  logger: BaileysLogger;
  /** Messages this process sent, for Baileys' re-encryption on a retry receipt. */
  getMessage(key: WAMessage["key"]): Promise<WAMessage["message"] | undefined>;
}

export type WhatsAppSocketFactory = (
  options: WhatsAppSocketOptions,
) => WhatsAppSocket | Promise<WhatsAppSocket>;

/** The real socket: Baileys' makeWASocket, imported only when an account connects. */
export const baileysSocketFactory: WhatsAppSocketFactory = async (options) => {
  const { makeWASocket, makeCacheableSignalKeyStore, Browsers } = await import("baileys");
  return makeWASocket({
    auth: { creds: options.auth.creds, keys: makeCacheableSignalKeyStore(options.auth.keys, options.logger) },
    logger: options.logger,
    browser: Browsers.ubuntu("OpenClaw"),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    getMessage: async (key) => (await options.getMessage(key)) ?? undefined,
  }) as unknown as WhatsAppSocket;
};

const noop = () => undefined;
/** Baileys' chatter goes to the channel logger at debug level; warnings and errors stay visible. */
export function baileysLogger(
  log: { debug(m: string): void; warn(m: string): void; error(m: string): void },
  bindings: Record<string, unknown> = {},
): BaileysLogger {
  const text = (obj: unknown, msg?: string) =>
    [msg, typeof obj === "string" ? obj : JSON.stringify({ ...bindings, ...(obj as object) })?.slice(0, 500)]
      .filter(Boolean)
      .join(" ");
  return {
    level: "warn",
    child: (more) => baileysLogger(log, { ...bindings, ...more }),
    trace: noop,
    debug: noop,
    info: (obj, msg) => log.debug(`baileys: ${text(obj, msg)}`),
    warn: (obj, msg) => log.warn(`baileys: ${text(obj, msg)}`),
    error: (obj, msg) => log.error(`baileys: ${text(obj, msg)}`),
  };
}
