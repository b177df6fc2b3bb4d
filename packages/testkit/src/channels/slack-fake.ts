import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import appMention from "./__fixtures__/slack/events-api-app-mention.json" with { type: "json" };
import messageIm from "./__fixtures__/slack/events-api-message-im.json" with { type: "json" };
import hello from "./__fixtures__/slack/hello.json" with { type: "json" };
import { Conditions } from "./conditions.js";

type Json = Record<string, unknown>;

/** Recorded-shape Slack Socket Mode frames. */
export const slackFixtures = { hello, messageIm, appMention } as const;

export interface FakeSlackSent {
  channel: string;
  text: string;
  ts: string;
  threadTs?: string;
}

export type FakeSlackFault =
  | { kind: "rate-limit"; method: string; retryAfter: number }
  | { kind: "drop-after-processing"; method: string }
  /** The next call of `method` gets this HTTP status (Slack unavailable: 503). */
  | { kind: "http-error"; method: string; status: number };

/**
 * Fake Slack: Web API (`/api/<method>`, bearer tokens) and Socket Mode WebSocket on one port.
 * `apps.connections.open` hands out the WS URL; the server sends `hello`, then `events_api`
 * envelopes, and redelivers an envelope (retry_attempt + 1, reason `timeout`) when it is not
 * acknowledged within `ackTimeoutMs`.
 */
export class FakeSlackServer {
  readonly botToken: string;
  readonly appToken: string;
  readonly botUserId = "U0BOTUSER";
  readonly teamId = "T0123ABCD";
  url = "";
  readonly sent: FakeSlackSent[] = [];
  readonly reactions: { channel: string; ts: string; name: string }[] = [];
  readonly acks: string[] = [];
  /** Envelopes sent (including redeliveries). */
  readonly envelopes: Json[] = [];
  connectionsOpened = 0;
  unauthorizedRequests = 0;
  ackTimeoutMs: number;
  /** Acks to "lose" (as if they arrived too late): the envelope is redelivered after `ackTimeoutMs`. */
  acksToLose = 0;
  private readonly sockets = new Set<Socket>();
  private readonly clients = new Set<WebSocket>();
  private readonly pending: Json[] = [];
  private readonly faults: FakeSlackFault[] = [];
  private readonly conditions = new Conditions("FakeSlackServer");
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly wss = new WebSocketServer({ server: this.server });
  private tsCounter = 1_763_720_000_000_100;

  constructor(options: { botToken?: string; appToken?: string; ackTimeoutMs?: number } = {}) {
    this.botToken = options.botToken ?? "xoxb-0000000000-0000000000000-FakeSlackBotTokenForTests";
    this.appToken = options.appToken ?? "xapp-1-A0456EFGH-0000000000000-fakeslackapptokenfortests";
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.wss.on("connection", (socket) => {
      this.clients.add(socket);
      socket.send(JSON.stringify(hello));
      for (const envelope of this.pending.splice(0)) this.deliver(envelope);
      socket.on("message", (raw) => {
        try {
          const frame = JSON.parse(raw.toString()) as Json;
          if (typeof frame.envelope_id === "string") {
            if (this.acksToLose > 0) this.acksToLose--;
            else this.acks.push(frame.envelope_id);
          }
        } catch {
          // ignore non-JSON frames
        }
        this.notify();
      });
      socket.on("close", () => {
        this.clients.delete(socket);
        this.notify();
      });
      this.notify();
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Web API root for `slackApiUrl` (ends with `/api/`). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  get connected(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  fault(fault: FakeSlackFault): void {
    this.faults.push(fault);
  }

  waitFor(check: () => boolean): Promise<void> {
    return this.conditions.wait(check);
  }

  waitForSent(count: number): Promise<FakeSlackSent[]> {
    return this.waitFor(() => this.sent.length >= count).then(() => this.sent.slice());
  }

  private notify() {
    this.conditions.notify();
  }

  /** Drop every Socket Mode connection abruptly; the app is expected to reconnect. */
  dropConnections(): void {
    for (const c of this.wss.clients) c.terminate();
  }

  /** Send an Events API event (from the `im` or `mention` fixture, with overrides). Returns the event. */
  event(
    kind: "im" | "mention" | "channel",
    overrides: { text?: string; user?: string; ts?: string; channel?: string; threadTs?: string } = {},
  ): Json {
    const envelope = structuredClone(kind === "mention" ? appMention : messageIm) as Json;
    const payload = envelope.payload as Json;
    const event = payload.event as Json;
    if (kind === "channel") {
      event.channel = "C0GENERAL1";
      event.channel_type = "channel";
    }
    if (overrides.text !== undefined) event.text = overrides.text;
    if (overrides.user) event.user = overrides.user;
    if (overrides.channel) event.channel = overrides.channel;
    if (overrides.threadTs) event.thread_ts = overrides.threadTs;
    const ts =
      overrides.ts ??
      `${Math.floor(this.tsCounter / 1e6)}.${String(this.tsCounter++ % 1e6).padStart(6, "0")}`;
    event.ts = ts;
    event.event_ts = ts;
    payload.event_id = `Ev${randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`;
    envelope.envelope_id = randomUUID();
    this.deliver(envelope);
    return event;
  }

  /**
   * HTTP Events API delivery: POST the event callback to the app's request URL, signed with
   * `X-Slack-Signature` (v0 HMAC-SHA256 of `v0:<timestamp>:<body>`) like Slack does. Returns the status.
   */
  async postEvent(
    url: string,
    signingSecret: string,
    kind: "im" | "mention" | "channel",
    overrides: { text?: string; user?: string } = {},
  ): Promise<number> {
    const envelope = structuredClone(kind === "mention" ? appMention : messageIm) as Json;
    const payload = envelope.payload as Json;
    const event = payload.event as Json;
    if (kind === "channel") {
      event.channel = "C0GENERAL1";
      event.channel_type = "channel";
    }
    if (overrides.text !== undefined) event.text = overrides.text;
    if (overrides.user) event.user = overrides.user;
    const ts = `${Math.floor(this.tsCounter / 1e6)}.${String(this.tsCounter++ % 1e6).padStart(6, "0")}`;
    event.ts = ts;
    event.event_ts = ts;
    payload.event_id = `Ev${randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`;
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
      },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Send a raw envelope (malformed or unknown types). */
  raw(frame: unknown): void {
    for (const c of this.clients) c.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  private deliver(envelope: Json) {
    const open = [...this.clients];
    if (open.length === 0) {
      this.pending.push(envelope);
      return;
    }
    this.envelopes.push(envelope);
    open[0]?.send(JSON.stringify(envelope));
    const id = String(envelope.envelope_id);
    const timer = setTimeout(() => {
      if (this.acks.includes(id)) return;
      const attempt = Number(envelope.retry_attempt ?? 0) + 1;
      if (attempt > 3) return;
      this.deliver({
        ...envelope,
        envelope_id: randomUUID(),
        retry_attempt: attempt,
        retry_reason: "timeout",
      });
    }, this.ackTimeoutMs);
    timer.unref();
    this.notify();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const method = url.pathname.replace(/^\/api\//, "");
    const send = (status: number, body: Json, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(body));
      this.notify();
    };
    let params: Json = Object.fromEntries(url.searchParams);
    const type = req.headers["content-type"] ?? "";
    try {
      if (type.includes("json") && raw) params = { ...params, ...(JSON.parse(raw) as Json) };
      else if (raw) params = { ...params, ...Object.fromEntries(new URLSearchParams(raw)) };
    } catch {
      return send(200, { ok: false, error: "invalid_json" });
    }
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "") || String(params.token ?? "");
    const wantApp = method === "apps.connections.open";
    if (bearer !== (wantApp ? this.appToken : this.botToken)) {
      this.unauthorizedRequests++;
      return send(200, { ok: false, error: "invalid_auth" });
    }
    const index = this.faults.findIndex((f) => f.method === method);
    const fault = index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
    if (fault?.kind === "rate-limit")
      return send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(fault.retryAfter) });
    if (fault?.kind === "http-error") return send(fault.status, { ok: false, error: "service_unavailable" });
    switch (method) {
      case "apps.connections.open":
        this.connectionsOpened++;
        return send(200, {
          ok: true,
          url: `${this.url.replace("http://", "ws://")}/link/?ticket=${randomUUID()}&app_id=A0456EFGH`,
        });
      case "auth.test":
        return send(200, {
          ok: true,
          url: "https://fake-team.slack.com/",
          team: "Fake Team",
          user: "openclaw",
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: "B0BOT0001",
          is_enterprise_install: false,
        });
      case "chat.postMessage":
      case "chat.update": {
        const text = String(params.text ?? "");
        if (!params.channel) return send(200, { ok: false, error: "channel_not_found" });
        if (!text.trim()) return send(200, { ok: false, error: "no_text" });
        if (text.length > 40_000) return send(200, { ok: false, error: "msg_too_long" });
        const ts =
          method === "chat.update"
            ? String(params.ts)
            : `${Math.floor(this.tsCounter / 1e6)}.${String(this.tsCounter++ % 1e6).padStart(6, "0")}`;
        this.sent.push({
          channel: String(params.channel),
          text,
          ts,
          ...(params.thread_ts ? { threadTs: String(params.thread_ts) } : {}),
        });
        if (fault?.kind === "drop-after-processing") {
          req.socket.destroy();
          this.notify();
          return;
        }
        return send(200, {
          ok: true,
          channel: params.channel,
          ts,
          message: { type: "message", text, user: this.botUserId, ts, bot_id: "B0BOT0001" },
        });
      }
      case "reactions.add":
        this.reactions.push({
          channel: String(params.channel),
          ts: String(params.timestamp),
          name: String(params.name),
        });
        return send(200, { ok: true });
      default:
        return send(200, { ok: false, error: "unknown_method" });
    }
  }
}
