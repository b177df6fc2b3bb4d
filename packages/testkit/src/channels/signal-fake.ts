import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import receiveAttachment from "./__fixtures__/signal/receive-attachment.json" with { type: "json" };
import receiveDm from "./__fixtures__/signal/receive-dm.json" with { type: "json" };
import receiveGroup from "./__fixtures__/signal/receive-group.json" with { type: "json" };
import receiveGroupMention from "./__fixtures__/signal/receive-group-mention.json" with { type: "json" };
import { Conditions } from "./conditions.js";

type Json = Record<string, unknown>;

/** Recorded-shape signal-cli `receive` notifications (envelope + account). */
export const signalFixtures = { receiveDm, receiveGroup, receiveGroupMention, receiveAttachment } as const;

export interface FakeSignalSent {
  /** `+E164` for a DM, `group:<id>` for a group. */
  to: string;
  text: string;
  textStyle: string[];
  quoteTimestamp?: number;
  quoteAuthor?: string;
  attachments: string[];
  timestamp: number;
}

export type FakeSignalFault =
  | { kind: "drop-after-processing"; method: "send" }
  | { kind: "rate-limit"; method: "send" };

let stamp = 1_764_980_000_000;

/**
 * Fake signal-cli daemon (`signal-cli daemon --http`) on 127.0.0.1: JSON-RPC 2.0 at
 * `POST /api/v1/rpc` (`send`, `sendTyping`, `sendReaction`, `listGroups`, `version`,
 * `getAttachment` answering `{ data: <base64> }` from `attachments`),
 * server-sent events at `GET /api/v1/events` (`event: receive` with `{ envelope, account }`),
 * `GET /api/v1/check`. Events injected while no client listens wait for the next one.
 */
export class FakeSignalDaemon {
  readonly account = "+15550001111";
  url = "";
  readonly sent: FakeSignalSent[] = [];
  readonly calls: { method: string; params: Json }[] = [];
  /** Accounts the daemon knows; another number gets "Specified account does not exist". */
  registered = true;
  /** Signal refuses the device (it was unlinked from the phone). */
  loggedOut = false;
  eventStreams = 0;
  /** Attachments signal-cli has downloaded, by id: served base64 by `getAttachment`. */
  readonly attachments = new Map<string, Uint8Array>();
  private readonly queue: string[] = [];
  private readonly streams = new Set<ServerResponse>();
  private readonly faults: FakeSignalFault[] = [];
  private readonly conditions = new Conditions("FakeSignalDaemon");
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  constructor() {
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  fault(fault: FakeSignalFault): void {
    this.faults.push(fault);
  }

  /** A fixture notification with a fresh timestamp (the message id), other text or sender. */
  receive(
    name: keyof typeof signalFixtures,
    overrides: { text?: string; from?: string; timestamp?: number; attachmentSize?: number } = {},
  ): Json {
    const event = structuredClone(signalFixtures[name]) as { envelope: Json & { dataMessage: Json } };
    const ts = overrides.timestamp ?? stamp++;
    event.envelope.timestamp = ts;
    event.envelope.dataMessage.timestamp = ts;
    if (overrides.text !== undefined) event.envelope.dataMessage.message = overrides.text;
    if (overrides.from) {
      event.envelope.source = overrides.from;
      event.envelope.sourceNumber = overrides.from;
      event.envelope.sourceUuid = `uuid-${overrides.from}`;
    }
    if (overrides.attachmentSize !== undefined)
      for (const a of (event.envelope.dataMessage.attachments ?? []) as Json[])
        a.size = overrides.attachmentSize;
    return event as unknown as Json;
  }

  /** Push a `receive` event (raw JSON text with `raw`). */
  inject(event: Json | string, raw = false): void {
    const data = raw ? String(event) : JSON.stringify(event);
    const frame = `event:receive\ndata:${data}\n\n`;
    const open = [...this.streams].filter((s) => !s.destroyed);
    if (open.length === 0) this.queue.push(frame);
    else for (const s of open) s.write(frame);
  }

  /** A receive error, as signal-cli reports one (`exception`). */
  injectException(type: string, message: string): void {
    this.inject({ account: this.account, exception: { message, type } });
  }

  /** Close every event stream (the client sees the daemon drop). */
  dropStreams(): void {
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }

  repliesTo(to: string): FakeSignalSent[] {
    return this.sent.filter((s) => s.to === to);
  }

  waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
    return this.conditions.wait(check, timeoutMs);
  }

  async waitForSent(count: number, timeoutMs?: number): Promise<FakeSignalSent[]> {
    await this.waitFor(() => this.sent.length >= count, timeoutMs);
    return this.sent;
  }

  private notify() {
    this.conditions.notify();
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname === "/api/v1/check") return void res.writeHead(200).end();
    if (req.method === "GET" && url.pathname === "/api/v1/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      res.flushHeaders();
      this.eventStreams++;
      this.streams.add(res);
      res.on("close", () => this.streams.delete(res));
      for (const frame of this.queue.splice(0)) res.write(frame);
      this.notify();
      return;
    }
    if (req.method !== "POST" || url.pathname !== "/api/v1/rpc") return void res.writeHead(404).end();
    let body = "";
    for await (const chunk of req) body += chunk;
    let call: { id?: unknown; method?: string; params?: Json };
    try {
      call = JSON.parse(body);
    } catch {
      return rpc(res, null, undefined, { code: -32700, message: "Parse error" });
    }
    const params = call.params ?? {};
    this.calls.push({ method: String(call.method), params });
    if (!this.registered || (params.account && params.account !== this.account))
      return rpc(res, call.id, undefined, { code: -1, message: `Specified account does not exist` });
    if (this.loggedOut)
      return rpc(res, call.id, undefined, {
        code: -1,
        message: "Authorization failed, was the number registered elsewhere?",
      });
    switch (call.method) {
      case "listGroups":
        return rpc(res, call.id, [
          { id: "kZB4n1rYx9QyJ0aQm6o2fFakeGroupIdBase64Aa=", name: "Famille", isMember: true },
        ]);
      case "version":
        return rpc(res, call.id, { version: "0.13.22" });
      case "sendTyping":
      case "sendReaction":
        return rpc(res, call.id, { timestamp: stamp++, results: [] });
      case "send":
        return this.send(call.id, params, req, res);
      case "getAttachment": {
        const file = this.attachments.get(String(params.id ?? ""));
        if (!file)
          return rpc(res, call.id, undefined, {
            code: -1,
            message: `An error occurred reading attachment: ${String(params.id)}`,
          });
        return rpc(res, call.id, { data: Buffer.from(file).toString("base64") });
      }
      default:
        return rpc(res, call.id, undefined, { code: -32601, message: "Method not implemented" });
    }
  }

  private send(id: unknown, params: Json, req: IncomingMessage, res: ServerResponse) {
    const limited = this.faults.findIndex((f) => f.kind === "rate-limit");
    if (limited >= 0) {
      this.faults.splice(limited, 1);
      return rpc(res, id, undefined, { code: -5, message: "Failed to send message due to rate limiting" });
    }
    const to =
      typeof params.groupId === "string"
        ? `group:${params.groupId}`
        : String((params.recipient as string[] | undefined)?.[0] ?? "");
    const timestamp = stamp++;
    this.sent.push({
      to,
      text: String(params.message ?? ""),
      textStyle: (params.textStyle as string[] | undefined) ?? [],
      ...(typeof params.quoteTimestamp === "number" ? { quoteTimestamp: params.quoteTimestamp } : {}),
      ...(typeof params.quoteAuthor === "string" ? { quoteAuthor: params.quoteAuthor } : {}),
      attachments: (params.attachments as string[] | undefined) ?? [],
      timestamp,
    });
    this.notify();
    const drop = this.faults.findIndex((f) => f.kind === "drop-after-processing");
    if (drop >= 0) {
      this.faults.splice(drop, 1);
      req.socket.destroy();
      return;
    }
    rpc(res, id, { timestamp, results: [{ recipientAddress: { number: to }, type: "SUCCESS" }] });
  }
}

function rpc(res: ServerResponse, id: unknown, result: unknown, error?: { code: number; message: string }) {
  if (res.destroyed) return;
  res
    .writeHead(200, { "content-type": "application/json" })
    .end(JSON.stringify({ jsonrpc: "2.0", id, ...(error ? { error } : { result }) }));
}
