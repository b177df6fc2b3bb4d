import { createCipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import closed from "./__fixtures__/whatsapp/connection-closed.json" with { type: "json" };
import loggedOut from "./__fixtures__/whatsapp/connection-logged-out.json" with { type: "json" };
import open from "./__fixtures__/whatsapp/connection-open.json" with { type: "json" };
import restartRequired from "./__fixtures__/whatsapp/connection-restart-required.json" with { type: "json" };
import dmText from "./__fixtures__/whatsapp/dm-text.json" with { type: "json" };
import groupMention from "./__fixtures__/whatsapp/group-mention.json" with { type: "json" };
import image from "./__fixtures__/whatsapp/image.json" with { type: "json" };
import { Conditions } from "./conditions.js";

type Json = Record<string, unknown>;

/** Recorded-shape Baileys events: `messages.upsert` and `connection.update` payloads. */
export const whatsappFixtures = {
  dmText,
  groupMention,
  image,
  open,
  loggedOut,
  restartRequired,
  closed,
} as const;

export interface FakeWhatsAppSent {
  jid: string;
  /** Text of a text message, caption of media, "" otherwise. */
  text: string;
  content: Json;
  messageId: string;
  quotedId?: string;
}

export type FakeWhatsAppFault =
  /** Record the next send, then drop the connection before answering it. */
  | { kind: "drop-after-send" }
  /** Refuse connections with this `connection.update` close payload (401 logged out, 403…). */
  | { kind: "refuse-connection"; update: Json };

let nextId = 1;
/** A `messages.upsert` payload from a recorded fixture with the text, ids and sender changed. */
export function whatsappUpsert(
  kind: "dmText" | "groupMention" | "groupText" | "image",
  overrides: {
    text?: string;
    id?: string;
    from?: string;
    group?: string;
    fileLength?: number;
    /** An upload from `FakeWhatsAppServer.uploadMedia` (image messages): replaces the recorded one. */
    media?: { url: string; mediaKey: string; fileSha256: string; fileEncSha256: string; fileLength: string };
    mimetype?: string;
  } = {},
): Json {
  const base = structuredClone(
    kind === "groupText" ? groupMention : (whatsappFixtures as Record<string, unknown>)[kind],
  ) as {
    messages: { key: Json; message: Json; messageTimestamp: number }[];
  };
  const message = base.messages[0] as { key: Json; message: Json; messageTimestamp: number };
  message.key.id = overrides.id ?? `3EB0FAKE${String(nextId++).padStart(14, "0")}`;
  const from = overrides.from ? `${overrides.from.replace(/^\+/, "")}@s.whatsapp.net` : undefined;
  if (kind === "groupText") {
    message.message = { conversation: overrides.text ?? "on mange quoi ce soir ?" };
  } else if (overrides.text !== undefined) {
    const m = message.message as Json & { extendedTextMessage?: Json; imageMessage?: Json };
    if (m.extendedTextMessage) m.extendedTextMessage.text = overrides.text;
    else if (m.imageMessage) m.imageMessage.caption = overrides.text;
    else m.conversation = overrides.text;
  }
  const imageMessage = (message.message as { imageMessage?: Json }).imageMessage;
  if (overrides.media && imageMessage) {
    Object.assign(imageMessage, overrides.media);
    delete imageMessage.directPath;
  }
  if (overrides.mimetype && imageMessage) imageMessage.mimetype = overrides.mimetype;
  if (overrides.fileLength !== undefined && (message.message as { imageMessage?: Json }).imageMessage)
    (message.message as { imageMessage: Json }).imageMessage.fileLength = String(overrides.fileLength);
  if (from) {
    if (kind === "dmText" || kind === "image") {
      message.key.remoteJid = from;
      delete message.key.remoteJidAlt;
    } else message.key.participantAlt = from;
  }
  if (overrides.group && kind !== "dmText" && kind !== "image") message.key.remoteJid = overrides.group;
  return base as unknown as Json;
}

interface Client {
  ws: WebSocket;
  linked: boolean;
  open: boolean;
}

/**
 * Fake WhatsApp at the Baileys socket boundary. The WhatsApp Web protocol cannot be served locally
 * (Noise handshake against WhatsApp's pinned certificates, end-to-end Signal encryption), so the
 * fake serves what Baileys' `makeWASocket` hands to its user — `connection.update`,
 * `creds.update` and `messages.upsert` events, and the `sendMessage` / `readMessages` /
 * `sendPresenceUpdate` / `logout` calls — over a loopback WebSocket, so a gateway in another
 * process (kill -9 tests) talks to the same fake. `whatsappSocketFactory(url)` is the client side.
 * Messages injected while no session is open are delivered when one opens (as WhatsApp does).
 */
export class FakeWhatsAppServer {
  url = "";
  readonly self = {
    id: "159876543210:12@s.whatsapp.net",
    lid: "87654321098765:12@lid",
    name: "OpenClaw Bot",
  };
  readonly sent: FakeWhatsAppSent[] = [];
  readonly reads: string[] = [];
  /** Called as each read receipt arrives, before it is answered (kill -9 tests hook in here). */
  onRead?: (messageId: string) => void;
  /** Reactions sent (`{ react }` messages), kept apart from `sent`. */
  readonly reactions: { jid: string; emoji: string; messageId?: string }[] = [];
  readonly presences: { type: string; jid?: string }[] = [];
  /** Sessions opened (a reconnect storm shows here). */
  connections = 0;
  logouts = 0;
  /** QR payloads handed out. */
  qrs = 0;
  private readonly pending: Json[] = [];
  private readonly faults: FakeWhatsAppFault[] = [];
  private readonly clients = new Set<Client>();
  private readonly sockets = new Set<Socket>();
  private readonly conditions = new Conditions("FakeWhatsAppServer");
  /** Encrypted media files by path, as WhatsApp's media servers keep them. */
  private readonly mediaFiles = new Map<string, Buffer>();
  /** Media paths downloaded, in order. */
  readonly mediaDownloads: string[] = [];
  private readonly server = createServer((req, res) => {
    const file = req.method === "GET" ? this.mediaFiles.get(req.url ?? "") : undefined;
    if (!file) return void res.writeHead(req.url?.startsWith("/v/") ? 404 : 426).end();
    this.mediaDownloads.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.byteLength });
    res.end(file);
  });
  private readonly wss = new WebSocketServer({ server: this.server });

  constructor() {
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.wss.on("connection", (ws) => this.accept(ws));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /**
   * Upload a media file as a WhatsApp client does: encrypted with a fresh media key (HKDF-SHA256
   * → AES-256-CBC + a 10-byte HMAC, "WhatsApp Image Keys" etc.) and served from this server. The
   * result goes into a message's `imageMessage` (`whatsappUpsert(…, { media })`). Real messages
   * also carry `directPath`, which Baileys resolves against https://mmg.whatsapp.net; these carry
   * only `url` (plain HTTP on loopback), which Baileys downloads as it is.
   */
  uploadMedia(
    data: Uint8Array,
    type: "image" | "video" | "audio" | "document" | "sticker" = "image",
  ): { url: string; mediaKey: string; fileSha256: string; fileEncSha256: string; fileLength: string } {
    const info = { image: "Image", sticker: "Image", video: "Video", audio: "Audio", document: "Document" }[
      type
    ];
    const mediaKey = randomBytes(32);
    const keys = Buffer.from(hkdfSync("sha256", mediaKey, Buffer.alloc(0), `WhatsApp ${info} Keys`, 112));
    const iv = keys.subarray(0, 16);
    const cipher = createCipheriv("aes-256-cbc", keys.subarray(16, 48), iv);
    const encrypted = Buffer.concat([cipher.update(data), cipher.final()]);
    const mac = createHmac("sha256", keys.subarray(48, 80))
      .update(iv)
      .update(encrypted)
      .digest()
      .subarray(0, 10);
    const file = Buffer.concat([encrypted, mac]);
    const path = `/v/t62.7118-24/f1/m232/up-oil-${type}-${randomBytes(6).toString("hex")}?ccb=9-4`;
    this.mediaFiles.set(path, file);
    const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("base64");
    return {
      url: `${this.url.replace(/^ws:/, "http:")}${path}`,
      mediaKey: mediaKey.toString("base64"),
      fileSha256: sha(data),
      fileEncSha256: sha(file),
      fileLength: String(data.byteLength),
    };
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.ws.terminate();
    for (const s of this.sockets) s.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  fault(fault: FakeWhatsAppFault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Deliver a `messages.upsert` payload (now if a session is open, else when one opens). */
  inject(upsert: Json): Json {
    const client = [...this.clients].find((c) => c.open);
    if (client) this.emit(client, "messages.upsert", upsert);
    else this.pending.push(upsert);
    return upsert;
  }

  /** Raw `messages.upsert` data, however malformed. */
  injectRaw(data: unknown): void {
    this.inject(data as Json);
  }

  /** Scan the QR shown to the unlinked client: WhatsApp pairs it, then asks for a restart (515). */
  scanQr(): void {
    const client = [...this.clients].find((c) => !c.linked);
    if (!client) throw new Error("no client is waiting for a QR scan");
    this.emit(client, "creds.update", {
      me: { id: this.self.id, lid: this.self.lid, name: this.self.name },
      platform: "smba",
      registered: true,
      account: {
        details: "CNbR0fMEEOKs",
        accountSignatureKey: "Y2c9",
        accountSignature: "c2ln",
        deviceSignature: "ZGV2",
      },
    });
    client.linked = true;
    this.emit(client, "connection.update", restartRequired);
    client.ws.close();
  }

  /** Drop every open session (as a network loss would). */
  dropConnections(): void {
    for (const c of this.clients) {
      c.open = false;
      c.ws.terminate();
    }
  }

  get openSessions(): number {
    return [...this.clients].filter((c) => c.open).length;
  }

  repliesTo(jid: string): FakeWhatsAppSent[] {
    return this.sent.filter((s) => s.jid === jid);
  }

  waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
    return this.conditions.wait(check, timeoutMs);
  }

  async waitForSent(count: number, timeoutMs?: number): Promise<FakeWhatsAppSent[]> {
    await this.waitFor(() => this.sent.length >= count, timeoutMs);
    return this.sent;
  }

  private notify() {
    this.conditions.notify();
  }

  private emit(client: Client, event: string, data: unknown) {
    if (client.ws.readyState === WebSocket.OPEN) client.ws.send(JSON.stringify({ event, data }));
  }

  private accept(ws: WebSocket) {
    const client: Client = { ws, linked: false, open: false };
    this.clients.add(client);
    ws.on("close", () => {
      this.clients.delete(client);
      this.notify();
    });
    ws.on("message", (raw) => {
      let frame: { type?: string; linked?: boolean; id?: number; call?: string; args?: unknown[] };
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (frame.type === "hello") this.hello(client, Boolean(frame.linked));
      else if (typeof frame.id === "number" && frame.call)
        this.call(client, frame.id, frame.call, frame.args ?? []);
      this.notify();
    });
  }

  private hello(client: Client, linked: boolean) {
    client.linked = linked;
    this.emit(client, "connection.update", { connection: "connecting" });
    const refuse = this.faults.find((f) => f.kind === "refuse-connection");
    if (refuse?.kind === "refuse-connection") {
      this.connections++;
      this.emit(client, "connection.update", refuse.update);
      client.ws.close();
      return;
    }
    if (!linked) {
      this.qrs++;
      this.emit(client, "connection.update", {
        qr: `2@fakeRef${this.qrs},fakeNoiseKey=,fakeIdentityKey=,fakeAdvSecret=`,
      });
      return;
    }
    this.connections++;
    client.open = true;
    this.emit(client, "connection.update", { ...open, user: this.self });
    for (const upsert of this.pending.splice(0)) this.emit(client, "messages.upsert", upsert);
  }

  private call(client: Client, id: number, call: string, args: unknown[]) {
    const reply = (result: unknown) => client.ws.send(JSON.stringify({ id, result }));
    if (call === "sendMessage") {
      const [jid, content, options] = args as [string, Json, { messageId?: string; quotedId?: string }];
      const messageId = options?.messageId ?? `3EB0SRV${String(nextId++).padStart(12, "0")}`;
      const react = content.react as { text?: string; key?: { id?: string } } | undefined;
      if (react) {
        this.reactions.push({
          jid,
          emoji: String(react.text ?? ""),
          ...(react.key?.id ? { messageId: react.key.id } : {}),
        });
        reply({ key: { remoteJid: jid, fromMe: true, id: messageId }, message: content, status: 1 });
        return;
      }
      const text =
        typeof content.text === "string"
          ? content.text
          : typeof content.caption === "string"
            ? content.caption
            : "";
      this.sent.push({
        jid,
        text,
        content,
        messageId,
        ...(options?.quotedId ? { quotedId: options.quotedId } : {}),
      });
      const drop = this.faults.findIndex((f) => f.kind === "drop-after-send");
      if (drop >= 0) {
        this.faults.splice(drop, 1);
        client.open = false;
        this.notify();
        client.ws.terminate();
        return;
      }
      reply({
        key: { remoteJid: jid, fromMe: true, id: messageId },
        message: content,
        messageTimestamp: Math.floor(Date.now() / 1000),
        status: 1,
      });
    } else if (call === "readMessages") {
      for (const key of (args[0] as { id?: string }[]) ?? [])
        if (key?.id) {
          this.reads.push(key.id);
          this.onRead?.(key.id);
        }
      reply(null);
    } else if (call === "sendPresenceUpdate") {
      this.presences.push({ type: String(args[0]), ...(args[1] ? { jid: String(args[1]) } : {}) });
      reply(null);
    } else if (call === "logout") {
      this.logouts++;
      reply(null);
      this.emit(client, "connection.update", loggedOut);
      client.ws.close();
    } else client.ws.send(JSON.stringify({ id, error: { message: `unknown call ${call}` } }));
  }
}

const boom = (message: string, statusCode: number) =>
  Object.assign(new Error(message), {
    isBoom: true,
    output: { statusCode, payload: { statusCode, message } },
  });

/** Revive an error serialized in a fixture into a Boom-shaped Error, as Baileys emits it. */
function reviveUpdate(update: Json): Json {
  const last = update.lastDisconnect as
    | { error?: { message?: string; output?: { statusCode?: number } } }
    | undefined;
  if (!last?.error) return update;
  return {
    ...update,
    lastDisconnect: {
      ...last,
      error: Object.assign(
        boom(last.error.message ?? "closed", last.error.output?.statusCode ?? 500),
        last.error,
      ),
    },
  };
}

/**
 * Client side of `FakeWhatsAppServer`: a socket factory with the shape of Baileys' `makeWASocket`
 * (`ev`, `user`, `sendMessage`, …) for a channel's `socketFactory` option. It applies `creds.update`
 * to the auth state it is given, as Baileys does.
 */
export function whatsappSocketFactory(url: string) {
  return (options: { auth: { creds: Record<string, unknown> } }) => {
    const ev = new EventEmitter();
    const ws = new WebSocket(url);
    const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let seq = 0;
    let ended = false;
    const socket = {
      ev,
      user: undefined as { id: string; lid?: string; name?: string } | undefined,
      call(name: string, args: unknown[]) {
        if (ws.readyState !== WebSocket.OPEN) return Promise.reject(boom("Connection Closed", 428));
        const id = ++seq;
        return new Promise((resolve, reject) => {
          calls.set(id, { resolve, reject });
          ws.send(JSON.stringify({ id, call: name, args }));
        });
      },
      sendMessage(
        jid: string,
        content: Json,
        opts: { messageId?: string; quoted?: { key?: { id?: string } } } = {},
      ) {
        const { quoted, ...rest } = opts;
        return socket.call("sendMessage", [
          jid,
          content,
          { ...rest, ...(quoted?.key?.id ? { quotedId: quoted.key.id } : {}) },
        ]);
      },
      readMessages: (keys: unknown[]) => socket.call("readMessages", [keys]),
      sendPresenceUpdate: (type: string, jid?: string) => socket.call("sendPresenceUpdate", [type, jid]),
      logout: (message?: string) => socket.call("logout", [message]),
      end(_error?: Error) {
        ended = true;
        ws.terminate();
      },
    };
    ws.on("open", () => ws.send(JSON.stringify({ type: "hello", linked: Boolean(options.auth.creds.me) })));
    ws.on("message", (raw) => {
      const frame = JSON.parse(raw.toString()) as {
        event?: string;
        data?: Json;
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      if (typeof frame.id === "number") {
        const pending = calls.get(frame.id);
        calls.delete(frame.id);
        if (frame.error) pending?.reject(new Error(frame.error.message));
        else pending?.resolve(frame.result);
        return;
      }
      if (frame.event === "creds.update") {
        Object.assign(options.auth.creds, frame.data);
        ev.emit("creds.update", frame.data);
      } else if (frame.event === "connection.update") {
        const data = reviveUpdate(frame.data ?? {});
        if (data.connection === "open") socket.user = data.user as typeof socket.user;
        if (data.connection === "close") ended = true;
        ev.emit("connection.update", data);
      } else if (frame.event) ev.emit(frame.event, frame.data);
    });
    ws.on("close", () => {
      for (const pending of calls.values()) pending.reject(boom("Connection Closed", 428));
      calls.clear();
      if (!ended) {
        ended = true;
        ev.emit("connection.update", reviveUpdate(closed as Json));
      }
    });
    ws.on("error", () => undefined);
    return socket;
  };
}
