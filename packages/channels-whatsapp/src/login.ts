import { openWhatsAppAuthStore } from "./auth-store.js";
import { jidToE164 } from "./normalize.js";
import { baileysLogger, baileysSocketFactory, type WhatsAppSocketFactory } from "./socket.js";
import { classifyDisconnect } from "./whatsapp-channel.js";

export interface WhatsAppLoginOptions {
  /** The account's session directory (`credentials/whatsapp/<accountId>`). */
  authDir: string;
  accountId?: string;
  /** Called with each QR payload WhatsApp hands out (render it with `renderQrTerminal`). */
  onQr(qr: string): void;
  socketFactory?: WhatsAppSocketFactory;
  /** Give up after this long (default 3 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: { debug(m: string): void; warn(m: string): void; error(m: string): void };
}

export interface WhatsAppLoginResult {
  /** `+15551234567` of the linked phone. */
  self: string;
  jid: string;
  alreadyLinked: boolean;
}

const RESTART_REQUIRED = 515;

/**
 * Link a WhatsApp account by QR (multi-device): WhatsApp hands out QR payloads until the phone
 * scans one, then asks for a restart (515) with the new credentials, which are saved atomically in
 * `authDir` (0600). Resolves once the linked session is open.
 */
export async function loginWhatsApp(options: WhatsAppLoginOptions): Promise<WhatsAppLoginResult> {
  const B = await import("baileys");
  const store = await openWhatsAppAuthStore(options.authDir);
  const alreadyLinked = store.linked;
  const factory = options.socketFactory ?? baileysSocketFactory;
  const log = options.log ?? { debug() {}, warn() {}, error() {} };
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 180_000);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  for (let attempt = 0; attempt < 5; attempt++) {
    const socket = await factory({
      accountId: options.accountId ?? "default",
      auth: store.state,
      logger: baileysLogger(log),
      getMessage: async () => undefined,
    });
    socket.ev.on("creds.update", () => void store.saveCreds());
    const outcome = await new Promise<{ open: true } | { error: unknown }>((resolve) => {
      const onAbort = () =>
        resolve({ error: new Error(deadline.aborted ? "QR login timed out" : "QR login cancelled") });
      signal.addEventListener("abort", onAbort, { once: true });
      socket.ev.on(
        "connection.update",
        (update: { connection?: string; qr?: string; lastDisconnect?: { error?: unknown } }) => {
          if (update.qr) options.onQr(update.qr);
          if (update.connection === "open") {
            signal.removeEventListener("abort", onAbort);
            resolve({ open: true });
          } else if (update.connection === "close") {
            signal.removeEventListener("abort", onAbort);
            resolve({ error: update.lastDisconnect?.error });
          }
        },
      );
    });
    if ("open" in outcome) {
      await store.saveCreds();
      await store.flush();
      const jid = socket.user?.id ?? store.state.creds.me?.id ?? "";
      socket.end(undefined);
      return { self: jidToE164(B.jidNormalizedUser(jid)) ?? jid, jid, alreadyLinked };
    }
    socket.end(undefined);
    const code = (outcome.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
    await store.flush();
    if (code === RESTART_REQUIRED) continue; // paired: reconnect with the new credentials
    throw outcome.error instanceof Error && !code ? outcome.error : classifyDisconnect(outcome.error);
  }
  throw new Error("WhatsApp login did not settle after 5 restarts");
}

/** A QR payload as terminal text (the `qrcode` package, small mode). */
export async function renderQrTerminal(qr: string): Promise<string> {
  const QRCode = await import("qrcode");
  return (QRCode.default ?? QRCode).toString(qr, { type: "terminal", small: true });
}

/** A QR payload as a PNG data URL (for a web client). */
export async function renderQrDataUrl(qr: string): Promise<string> {
  const QRCode = await import("qrcode");
  return (QRCode.default ?? QRCode).toDataURL(qr);
}
