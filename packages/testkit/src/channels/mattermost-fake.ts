import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import postedChannel from "./__fixtures__/mattermost/posted-channel.json" with { type: "json" };
import postedMention from "./__fixtures__/mattermost/posted-channel-mention.json" with { type: "json" };
import postedDm from "./__fixtures__/mattermost/posted-dm.json" with { type: "json" };
import { Conditions } from "./conditions.js";

type Json = Record<string, unknown>;

/** Recorded-shape Mattermost WebSocket `posted` events. */
export const mattermostFixtures = { postedDm, postedMention, postedChannel } as const;

export interface FakeMattermostSent {
  channelId: string;
  text: string;
  rootId: string;
  id: string;
  pendingPostId?: string;
}

export type FakeMattermostFault =
  | { kind: "drop-after-processing"; path: "posts" }
  | { kind: "drop-websocket" };

interface Session {
  id: string;
  /** Events of this connection id, by sequence number (the server replays from a client's sequence_number). */
  events: Json[];
  socket?: WebSocket;
}

let postCounter = 1;

/**
 * Fake Mattermost server on 127.0.0.1: REST API v4 (`/users/me`, `/posts` with `pending_post_id`
 * dedupe, `/reactions`) and the WebSocket API (`/api/v4/websocket`: authentication challenge,
 * `hello`, sequenced events, replay of missed events when a client reconnects with its
 * `connection_id` and `sequence_number`, ping/pong, `user_typing`).
 */
export class FakeMattermostServer {
  readonly botToken = "fakemattermostbottoken00000a";
  readonly botId = "bot0000000000000000000000a";
  readonly botUsername = "openclaw";
  readonly alice = "alice00000000000000000000b";
  readonly dmChannel = "dmchannel0000000000000000c";
  readonly townSquare = "townsquare000000000000000d";
  url = "";
  readonly sent: FakeMattermostSent[] = [];
  readonly typing: string[] = [];
  readonly reactions: { postId: string; emoji: string }[] = [];
  unauthorizedRequests = 0;
  /** Uploaded files by id: `GET /api/v4/files/{file_id}` serves them (bot token required). */
  readonly files = new Map<string, { name: string; mimeType: string; data: Uint8Array }>();
  /** File ids requested (and found), in order. */
  readonly fileDownloads: string[] = [];
  /** WebSocket connections accepted (authenticated). */
  connections = 0;
  revoked = false;
  private readonly sessions = new Map<string, Session>();
  private readonly pendingPosts = new Map<string, Json>();
  private readonly queued: Json[] = [];
  private readonly faults: FakeMattermostFault[] = [];
  private readonly conditions = new Conditions("FakeMattermostServer");
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  private sessionCounter = 1;

  constructor() {
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.server.on("upgrade", (req, socket, head) => {
      if (!req.url?.startsWith("/api/v4/websocket")) return socket.destroy();
      if (this.holdUpgrades) {
        // the client's socket stays CONNECTING until `releaseUpgrades()`
        const held = { closed: false, release: () => {} };
        socket.on("close", () => {
          held.closed = true;
          this.notify();
        });
        held.release = () => {
          if (!socket.destroyed)
            this.wss.handleUpgrade(req, socket, head, (ws) =>
              this.accept(ws, new URL(req.url ?? "/", "http://x")),
            );
        };
        this.heldUpgrades.push(held);
        this.notify();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, new URL(req.url ?? "/", "http://x")));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** While true, WebSocket upgrade requests are held unanswered (the client sees CONNECTING). */
  holdUpgrades = false;
  /** Upgrades held so far: `closed` once the client gave up the connection. */
  readonly heldUpgrades: { closed: boolean; release: () => void }[] = [];

  /** Answer the held upgrades (those whose client is still there) and stop holding new ones. */
  releaseUpgrades(): void {
    this.holdUpgrades = false;
    for (const held of this.heldUpgrades.splice(0)) held.release();
  }

  fault(fault: FakeMattermostFault): void {
    this.faults.push(fault);
  }

  /** A `posted` event from a fixture with a new post id / text / sender. */
  posted(
    name: keyof typeof mattermostFixtures,
    overrides: {
      text?: string;
      id?: string;
      userId?: string;
      senderName?: string;
      rootId?: string;
      files?: Json[];
    } = {},
  ): Json {
    const event = structuredClone(mattermostFixtures[name]) as { data: Json & { post: string } };
    const post = JSON.parse(event.data.post) as Json;
    post.id = overrides.id ?? `post${String(postCounter++).padStart(22, "0")}`;
    if (overrides.text !== undefined) post.message = overrides.text;
    if (overrides.userId) post.user_id = overrides.userId;
    if (overrides.rootId) post.root_id = overrides.rootId;
    if (overrides.files) post.metadata = { files: overrides.files };
    if (overrides.senderName) event.data.sender_name = overrides.senderName;
    event.data.post = JSON.stringify(post);
    return event as unknown as Json;
  }

  /** Send an event to the connected bot (queued until one connects). */
  inject(event: Json): Json {
    const session = [...this.sessions.values()].find(
      (s) => s.socket && s.socket.readyState === s.socket.OPEN,
    );
    if (!session) this.queued.push(event);
    else this.push(session, event);
    return event;
  }

  /** Raw WebSocket text, however malformed (sent with the next sequence number when it is JSON). */
  injectRaw(data: string): void {
    for (const s of this.sessions.values()) if (s.socket?.readyState === s.socket?.OPEN) s.socket?.send(data);
  }

  /** Drop the bot's WebSocket (the client reconnects and asks for a replay). */
  dropWebSocket(): void {
    for (const s of this.sessions.values()) s.socket?.terminate();
  }

  repliesIn(channelId: string): FakeMattermostSent[] {
    return this.sent.filter((s) => s.channelId === channelId);
  }

  waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
    return this.conditions.wait(check, timeoutMs);
  }

  async waitForSent(count: number, timeoutMs?: number): Promise<FakeMattermostSent[]> {
    await this.waitFor(() => this.sent.length >= count, timeoutMs);
    return this.sent;
  }

  private notify() {
    this.conditions.notify();
  }

  private push(session: Session, event: Json) {
    const framed = { ...event, seq: session.events.length };
    session.events.push(framed);
    session.socket?.send(JSON.stringify(framed));
  }

  private accept(ws: WebSocket, url: URL) {
    const known = this.sessions.get(url.searchParams.get("connection_id") ?? "");
    const from = Number(url.searchParams.get("sequence_number") ?? 0);
    ws.on("message", (raw) => {
      let frame: { action?: string; seq?: number; data?: { token?: string; channel_id?: string } };
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (frame.action === "authentication_challenge") {
        if (frame.data?.token !== this.botToken || this.revoked) {
          this.unauthorizedRequests++;
          ws.send(
            JSON.stringify({
              status: "FAIL",
              seq_reply: frame.seq,
              error: {
                id: "api.web_socket_router.not_authenticated.app_error",
                message: "websocket: not authenticated",
              },
            }),
          );
          ws.close();
          this.notify();
          return;
        }
        ws.send(JSON.stringify({ status: "OK", seq_reply: frame.seq }));
        this.connections++;
        let session = known;
        if (session && from <= session.events.length) {
          session.socket = ws;
          // replay what the client missed, then carry on with the same sequence
          for (const event of session.events.slice(from)) ws.send(JSON.stringify(event));
        } else {
          session = { id: `conn${this.sessionCounter++}`, events: [] };
          this.sessions.set(session.id, session);
          session.socket = ws;
          this.push(session, {
            event: "hello",
            data: { connection_id: session.id, server_version: "10.11.0.0", server_hostname: "fake" },
            broadcast: { user_id: this.botId },
          });
        }
        for (const event of this.queued.splice(0)) this.push(session, event);
        this.notify();
      } else if (frame.action === "ping") {
        ws.send(
          JSON.stringify({
            status: "OK",
            seq_reply: frame.seq,
            data: { text: "pong", version: "10.11.0.0", server_time: Date.now() },
          }),
        );
      } else if (frame.action === "user_typing") {
        if (frame.data?.channel_id) this.typing.push(frame.data.channel_id);
        ws.send(JSON.stringify({ status: "OK", seq_reply: frame.seq }));
      }
    });
    ws.on("close", () => this.notify());
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://x");
    let body = "";
    for await (const chunk of req) body += chunk;
    // Client4 sends "BEARER <token>"; the scheme is case-insensitive
    if ((req.headers.authorization ?? "").replace(/^bearer /i, "") !== this.botToken || this.revoked) {
      this.unauthorizedRequests++;
      this.notify();
      return json(res, 401, {
        id: "api.context.session_expired.app_error",
        message: "Invalid or expired session, please login again.",
        detailed_error: "",
        request_id: "fakereq",
        status_code: 401,
      });
    }
    if (req.method === "GET" && url.pathname === "/api/v4/users/me")
      return json(res, 200, {
        id: this.botId,
        username: this.botUsername,
        is_bot: true,
        roles: "system_user",
        create_at: 1700000000000,
      });
    if (req.method === "POST" && url.pathname === "/api/v4/posts") return this.createPost(body, req, res);
    const file = /^\/api\/v4\/files\/([a-z0-9]+)$/.exec(url.pathname);
    if (req.method === "GET" && file) {
      const stored = this.files.get(file[1] ?? "");
      if (!stored)
        return json(res, 404, {
          id: "app.file_info.get.app_error",
          message: "Unable to get the file info.",
          status_code: 404,
        });
      this.fileDownloads.push(file[1] ?? "");
      res.writeHead(200, {
        "content-type": stored.mimeType,
        "content-length": stored.data.byteLength,
        "content-disposition": `attachment;filename="${stored.name}"`,
        "x-content-type-options": "nosniff",
      });
      return void res.end(stored.data);
    }
    if (req.method === "POST" && url.pathname === "/api/v4/reactions") {
      const reaction = JSON.parse(body) as { post_id: string; emoji_name: string };
      this.reactions.push({ postId: reaction.post_id, emoji: reaction.emoji_name });
      return json(res, 200, reaction);
    }
    json(res, 404, {
      id: "api.context.404.app_error",
      message: "Sorry, we could not find the page.",
      status_code: 404,
    });
  }

  private createPost(body: string, req: IncomingMessage, res: ServerResponse) {
    const input = JSON.parse(body) as {
      channel_id?: string;
      message?: string;
      root_id?: string;
      pending_post_id?: string;
    };
    if (!input.channel_id)
      return json(res, 400, {
        id: "api.post.create_post.channel_id.app_error",
        message: "Invalid channel_id",
        status_code: 400,
      });
    const known = input.pending_post_id ? this.pendingPosts.get(input.pending_post_id) : undefined;
    if (known) return json(res, 201, known);
    const post = {
      id: `reply${String(postCounter++).padStart(21, "0")}`,
      create_at: Date.now(),
      user_id: this.botId,
      channel_id: input.channel_id,
      root_id: input.root_id ?? "",
      message: input.message ?? "",
      pending_post_id: input.pending_post_id ?? "",
      type: "",
      props: {},
    };
    if (input.pending_post_id) this.pendingPosts.set(input.pending_post_id, post);
    this.sent.push({
      channelId: post.channel_id,
      text: post.message,
      rootId: post.root_id,
      id: post.id,
      ...(input.pending_post_id ? { pendingPostId: input.pending_post_id } : {}),
    });
    this.notify();
    const drop = this.faults.findIndex((f) => f.kind === "drop-after-processing");
    if (drop >= 0) {
      this.faults.splice(drop, 1);
      req.socket.destroy();
      return;
    }
    json(res, 201, post);
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
