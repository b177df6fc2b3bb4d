import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import messageCreateDm from "./__fixtures__/discord/message-create-dm.json" with { type: "json" };
import messageCreateGuild from "./__fixtures__/discord/message-create-guild.json" with { type: "json" };
import ready from "./__fixtures__/discord/ready.json" with { type: "json" };
import { Conditions } from "./conditions.js";

type Json = Record<string, unknown>;

/** Recorded-shape Discord gateway payloads. */
export const discordFixtures = { ready, messageCreateDm, messageCreateGuild } as const;

export interface FakeDiscordSent {
  channelId: string;
  content: string;
  messageId: string;
  nonce?: string;
  replyTo?: string;
}

export type FakeDiscordFault =
  | { kind: "rate-limit"; route: "messages"; retryAfter: number }
  | { kind: "drop-after-processing"; route: "messages" }
  | { kind: "delay"; route: "messages"; ms: number };

interface Session {
  id: string;
  seq: number;
  buffer: { s: number; frame: string }[];
  socket?: WebSocket;
}

/**
 * Fake Discord: REST (`/api/v10/...`) and the gateway WebSocket on one 127.0.0.1 port. HELLO →
 * IDENTIFY → READY, heartbeats (op 1 → op 11), RESUME replays missed dispatches, `nonce` +
 * `enforce_nonce` dedupe message creation like Discord does.
 */
export class FakeDiscordServer {
  readonly token: string;
  readonly botUser = { ...ready.d.user };
  url = "";
  readonly sent: FakeDiscordSent[] = [];
  readonly typing: string[] = [];
  readonly reactions: { channelId: string; messageId: string; emoji: string }[] = [];
  readonly identifies: Json[] = [];
  readonly resumes: Json[] = [];
  unauthorizedRequests = 0;
  heartbeats = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly faults: FakeDiscordFault[] = [];
  private readonly conditions = new Conditions("FakeDiscordServer");
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly wss = new WebSocketServer({ server: this.server });
  private nextId = 1_310_000_000_000_000_000n;
  private readonly heartbeatMs: number;
  guilds: {
    id: string;
    channels: { id: string; name: string; type: number; parent_id?: string }[];
    threads: { id: string; name: string; type: number; parent_id: string }[];
  }[] = [];

  constructor(options: { token?: string; heartbeatMs?: number } = {}) {
    this.token = options.token ?? "MTMwMDAwMDAwMDAwMDAwMDA5OQ.FakeTk.discord-tests-only";
    this.heartbeatMs = options.heartbeatMs ?? 41_250;
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.wss.on("connection", (socket) => this.onSocket(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  get gatewayUrl(): string {
    return this.url.replace("http://", "ws://");
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  fault(fault: FakeDiscordFault): void {
    this.faults.push(fault);
  }

  waitFor(check: () => boolean): Promise<void> {
    return this.conditions.wait(check);
  }

  waitForSent(count: number): Promise<FakeDiscordSent[]> {
    return this.waitFor(() => this.sent.length >= count).then(() => this.sent.slice());
  }

  get connectedSessions(): number {
    return [...this.sessions.values()].filter((s) => s.socket).length;
  }

  private notify() {
    this.conditions.notify();
  }

  /** Dispatch a gateway event to every identified session (buffered for RESUME while disconnected). */
  dispatch(t: string, d: Json): void {
    for (const session of this.sessions.values()) {
      session.seq++;
      const frame = JSON.stringify({ op: 0, t, s: session.seq, d });
      session.buffer.push({ s: session.seq, frame });
      session.socket?.send(frame);
    }
    this.notify();
  }

  /** A MESSAGE_CREATE built from a fixture (`dm` or `guild`) with overrides. Returns the message. */
  message(
    kind: "dm" | "guild",
    overrides: {
      content?: string;
      id?: string;
      channelId?: string;
      authorId?: string;
      mentionsBot?: boolean;
      guildId?: string;
      referencedAuthorId?: string;
    } = {},
  ): Json {
    const base = structuredClone((kind === "dm" ? messageCreateDm : messageCreateGuild).d) as Json;
    if (overrides.content !== undefined) base.content = overrides.content;
    base.id = overrides.id ?? String(this.nextId++);
    if (overrides.channelId) base.channel_id = overrides.channelId;
    if (overrides.guildId) base.guild_id = overrides.guildId;
    if (overrides.authorId) (base.author as Json).id = overrides.authorId;
    if (overrides.mentionsBot === false) base.mentions = [];
    if (overrides.mentionsBot === true) base.mentions = [{ ...this.botUser }];
    if (overrides.referencedAuthorId)
      base.referenced_message = { id: "1", content: "earlier", author: { id: overrides.referencedAuthorId } };
    this.dispatch("MESSAGE_CREATE", base);
    return base;
  }

  /** Close every gateway socket abruptly (1006-like); clients are expected to RESUME. */
  dropGateway(): void {
    for (const client of this.wss.clients) client.terminate();
  }

  private onSocket(socket: WebSocket) {
    let session: Session | undefined;
    socket.send(
      JSON.stringify({
        op: 10,
        d: { heartbeat_interval: this.heartbeatMs, _trace: ["fake-gateway"] },
        s: null,
        t: null,
      }),
    );
    socket.on("message", (raw) => {
      let frame: { op?: number; d?: Json | number | null };
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        socket.close(4002, "Error while decoding payload.");
        return;
      }
      switch (frame.op) {
        case 1:
          this.heartbeats++;
          socket.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
          break;
        case 2: {
          const d = frame.d as Json;
          this.identifies.push(d);
          if (d.token !== this.token) {
            this.unauthorizedRequests++;
            socket.close(4004, "Authentication failed.");
            return;
          }
          const id = `sess${this.sessions.size + 1}${Math.random().toString(16).slice(2, 10)}`;
          session = { id, seq: 0, buffer: [], socket };
          this.sessions.set(id, session);
          session.seq++;
          const readyFrame = structuredClone(ready) as Json;
          readyFrame.s = session.seq;
          const rd = readyFrame.d as Json;
          rd.session_id = id;
          rd.resume_gateway_url = this.gatewayUrl;
          rd.user = this.botUser;
          rd.guilds = this.guilds.map((g) => ({ id: g.id, unavailable: true }));
          socket.send(JSON.stringify(readyFrame));
          for (const guild of this.guilds) {
            session.seq++;
            socket.send(
              JSON.stringify({
                op: 0,
                t: "GUILD_CREATE",
                s: session.seq,
                d: {
                  id: guild.id,
                  name: "Guild",
                  channels: guild.channels,
                  threads: guild.threads,
                  members: [],
                  roles: [],
                  unavailable: false,
                },
              }),
            );
          }
          break;
        }
        case 6: {
          const d = frame.d as Json;
          this.resumes.push(d);
          const existing = this.sessions.get(String(d.session_id));
          if (!existing || d.token !== this.token) {
            socket.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
            return;
          }
          session = existing;
          session.socket = socket;
          for (const entry of session.buffer) if (entry.s > Number(d.seq)) socket.send(entry.frame);
          session.seq++;
          socket.send(JSON.stringify({ op: 0, t: "RESUMED", s: session.seq, d: {} }));
          break;
        }
        default:
          break;
      }
      this.notify();
    });
    socket.on("close", () => {
      if (session && session.socket === socket) session.socket = undefined;
      this.notify();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      res.writeHead(status, {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      });
      res.end(body !== undefined ? JSON.stringify(body) : undefined);
      this.notify();
    };
    if (req.headers.authorization !== `Bot ${this.token}`) {
      this.unauthorizedRequests++;
      return send(401, { message: "401: Unauthorized", code: 0 });
    }
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, "");
    let body: Json = {};
    if (chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return send(400, { message: "400: Bad Request", code: 0 });
      }
    }
    if (req.method === "GET" && path === "/gateway/bot")
      return send(200, {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      });
    if (req.method === "GET" && path === "/gateway") return send(200, { url: this.gatewayUrl });
    if (req.method === "GET" && path === "/users/@me") return send(200, this.botUser);
    let m = /^\/channels\/(\d+)\/typing$/.exec(path);
    if (m && req.method === "POST") {
      this.typing.push(m[1] ?? "");
      return send(204);
    }
    m = /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/(.+)\/@me$/.exec(path);
    if (m && req.method === "PUT") {
      this.reactions.push({
        channelId: m[1] ?? "",
        messageId: m[2] ?? "",
        emoji: decodeURIComponent(m[3] ?? ""),
      });
      return send(204);
    }
    m = /^\/channels\/(\d+)\/messages$/.exec(path);
    if (m && req.method === "POST") {
      const channelId = m[1] ?? "";
      const index = this.faults.findIndex((f) => f.route === "messages");
      const fault = index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
      if (fault?.kind === "rate-limit")
        return send(
          429,
          { message: "You are being rate limited.", retry_after: fault.retryAfter, global: false },
          {
            "retry-after": String(Math.ceil(fault.retryAfter)),
            "x-ratelimit-scope": "user",
            "x-ratelimit-limit": "5",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset-after": String(fault.retryAfter),
            "x-ratelimit-bucket": "fakebucket",
          },
        );
      if (fault?.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms));
      const content = String(body.content ?? "");
      if (!content.trim()) return send(400, { message: "Cannot send an empty message", code: 50006 });
      if (content.length > 2000)
        return send(400, {
          message: "Invalid Form Body",
          code: 50035,
          errors: {
            content: {
              _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }],
            },
          },
        });
      const nonce = body.nonce !== undefined ? String(body.nonce) : undefined;
      const existing =
        nonce && body.enforce_nonce
          ? this.sent.find((s) => s.channelId === channelId && s.nonce === nonce)
          : undefined;
      const record = existing ?? {
        channelId,
        content,
        messageId: String(this.nextId++),
        ...(nonce ? { nonce } : {}),
        ...((body.message_reference as Json | undefined)?.message_id
          ? { replyTo: String((body.message_reference as Json).message_id) }
          : {}),
      };
      if (!existing) this.sent.push(record);
      if (fault?.kind === "drop-after-processing") {
        req.socket.destroy();
        this.notify();
        return;
      }
      return send(200, {
        id: record.messageId,
        channel_id: channelId,
        content: record.content,
        author: this.botUser,
        type: 0,
        timestamp: new Date().toISOString(),
        nonce,
      });
    }
    send(404, { message: "404: Not Found", code: 0 });
  }
}
