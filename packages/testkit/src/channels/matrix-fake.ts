import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import events from "./__fixtures__/matrix/events.json" with { type: "json" };
import { Conditions } from "./conditions.js";

type Json = Record<string, unknown>;

/** Recorded-shape Matrix room events (client-server API `ClientEvent` JSON). */
export const matrixFixtures = events;

export interface FakeMatrixSent {
  roomId: string;
  txnId: string;
  eventId: string;
  type: string;
  /** Plain `body`. */
  text: string;
  /** `formatted_body` (HTML), when present. */
  html?: string;
  content: Json;
}

export type FakeMatrixFault =
  | { kind: "drop-after-processing"; path: "send" }
  | { kind: "rate-limit"; path: "send"; retryAfterMs: number };

interface FakeRoom {
  roomId: string;
  name?: string;
  members: string[];
  encrypted: boolean;
}

/**
 * Fake Matrix homeserver (client-server API r0/v3) on 127.0.0.1: `/versions`, `/account/whoami`,
 * `/sync` (long poll, `since` positions `s<n>`), `/rooms/{id}/send/{type}/{txnId}` (a repeated
 * transaction id answers the first event id, as Synapse does), typing, receipts, join, filters,
 * push rules and authenticated media downloads (`/_matrix/client/v1/media/download/{server}/{id}`). Rooms: a DM (bot + Alice) and a group room; more with `addRoom`.
 */
export class FakeMatrixServer {
  readonly accessToken = "syt_b3BlbmNsYXc_FakeMatrixTokenForTests_0a1b2c";
  readonly userId = "@openclaw:fake.test";
  readonly alice = "@alice:fake.test";
  readonly dmRoom = "!dmAliceBot:fake.test";
  readonly groupRoom = "!groupRoom:fake.test";
  url = "";
  readonly sent: FakeMatrixSent[] = [];
  readonly typing: string[] = [];
  readonly requests: string[] = [];
  unauthorizedRequests = 0;
  /** Uploaded content by `mxc://` URI, served by authenticated media (`/_matrix/client/v1/media/download/…`). */
  readonly media = new Map<string, { mimeType: string; data: Uint8Array }>();
  /** `mxc://` URIs downloaded, in order. */
  readonly mediaDownloads: string[] = [];
  syncRequests = 0;
  /** Reject this token from now on (a session logged out elsewhere). */
  revoked = false;
  private readonly rooms = new Map<string, FakeRoom>();
  private readonly timeline: { roomId: string; event: Json }[] = [];
  private readonly txns = new Map<string, string>();
  private readonly faults: FakeMatrixFault[] = [];
  private readonly pollers = new Set<() => void>();
  private readonly conditions = new Conditions("FakeMatrixServer");
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private nextEvent = 1;

  constructor() {
    this.addRoom({ roomId: this.dmRoom, members: [this.userId, this.alice] });
    this.addRoom({
      roomId: this.groupRoom,
      name: "Famille",
      members: [this.userId, this.alice, "@bob:fake.test", "@carol:fake.test"],
    });
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  addRoom(room: { roomId: string; name?: string; members: string[]; encrypted?: boolean }): void {
    this.rooms.set(room.roomId, { ...room, encrypted: room.encrypted ?? false });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const wake of this.pollers) wake();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  fault(fault: FakeMatrixFault): void {
    this.faults.push(fault);
  }

  /** Append an event to a room's timeline (served by the next /sync). */
  inject(event: Json, roomId: string = this.dmRoom): Json {
    const copy = structuredClone(event);
    if (!copy.event_id) copy.event_id = `$fake${this.nextEvent++}:fake.test`;
    this.timeline.push({ roomId, event: copy });
    for (const wake of this.pollers) wake();
    return copy;
  }

  /** A fixture event with a fresh id and other text/sender. */
  event(name: keyof typeof events, overrides: { text?: string; sender?: string; id?: string } = {}): Json {
    const event = structuredClone(events[name]) as Json & { content: Json };
    event.event_id = overrides.id ?? `$${name}${this.nextEvent++}:fake.test`;
    if (overrides.sender) event.sender = overrides.sender;
    if (overrides.text !== undefined) {
      event.content.body = overrides.text;
      delete event.content.formatted_body;
    }
    return event;
  }

  repliesIn(roomId: string): FakeMatrixSent[] {
    return this.sent.filter((s) => s.roomId === roomId && s.type === "m.room.message");
  }

  waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
    return this.conditions.wait(check, timeoutMs);
  }

  async waitForSent(count: number, timeoutMs?: number): Promise<FakeMatrixSent[]> {
    await this.waitFor(() => this.messages().length >= count, timeoutMs);
    return this.messages();
  }

  /** Sent `m.room.message` events (reactions apart). */
  messages(): FakeMatrixSent[] {
    return this.sent.filter((s) => s.type === "m.room.message");
  }

  private notify() {
    this.conditions.notify();
  }

  private roomBlock(room: FakeRoom, timeline: Json[]) {
    const state: Json[] = [
      {
        type: "m.room.create",
        state_key: "",
        sender: room.members[0],
        content: { room_version: "10", creator: room.members[0] },
        event_id: `$create${room.roomId}`,
        origin_server_ts: 1,
      },
      ...room.members.map((member, i) => ({
        type: "m.room.member",
        state_key: member,
        sender: member,
        content: {
          membership: "join",
          displayname: member
            .slice(1)
            .split(":")[0]
            ?.replace(/^./, (c) => c.toUpperCase()),
        },
        event_id: `$member${i}${room.roomId}`,
        origin_server_ts: 2,
      })),
      ...(room.name
        ? [
            {
              type: "m.room.name",
              state_key: "",
              sender: room.members[0],
              content: { name: room.name },
              event_id: `$name${room.roomId}`,
              origin_server_ts: 3,
            },
          ]
        : []),
      ...(room.encrypted
        ? [
            {
              type: "m.room.encryption",
              state_key: "",
              sender: room.members[1],
              content: { algorithm: "m.megolm.v1.aes-sha2" },
              event_id: `$enc${room.roomId}`,
              origin_server_ts: 4,
            },
          ]
        : []),
    ];
    return {
      summary: {
        "m.joined_member_count": room.members.length,
        "m.invited_member_count": 0,
        "m.heroes": room.members.filter((m) => m !== this.userId).slice(0, 5),
      },
      state: { events: state },
      timeline: { events: timeline, limited: false, prev_batch: "p0" },
      ephemeral: { events: [] },
      account_data: { events: [] },
      unread_notifications: { highlight_count: 0, notification_count: 0 },
    };
  }

  private async sync(url: URL, res: ServerResponse) {
    this.syncRequests++;
    const since = url.searchParams.get("since");
    const from = since ? Number(since.replace(/^s/, "")) : this.timeline.length;
    const timeout = Math.min(Number(url.searchParams.get("timeout") ?? 0), 30_000);
    if (since && this.timeline.length <= from && timeout > 0) {
      let wake: () => void = () => undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => wake(), timeout);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        this.pollers.add(wake);
        res.on("close", wake);
      });
      this.pollers.delete(wake);
    }
    if (res.destroyed) return;
    const end = this.timeline.length;
    const join: Record<string, unknown> = {};
    for (const room of this.rooms.values()) {
      const timeline = this.timeline
        .slice(from, end)
        .filter((t) => t.roomId === room.roomId)
        .map((t) => t.event);
      if (!since || timeline.length) join[room.roomId] = this.roomBlock(room, timeline);
    }
    json(res, 200, {
      next_batch: `s${end}`,
      rooms: { join, invite: {}, leave: {} },
      presence: { events: [] },
      account_data: { events: [] },
      to_device: { events: [] },
      device_lists: { changed: [], left: [] },
      device_one_time_keys_count: {},
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://x");
    const p = url.pathname.replace(/\/_matrix\/client\/(r0|v3|v1)/, "");
    this.requests.push(`${req.method} ${p}`);
    let body = "";
    for await (const chunk of req) body += chunk;
    if (p === "/_matrix/client/versions")
      return json(res, 200, { versions: ["r0.6.1", "v1.1", "v1.5", "v1.11"], unstable_features: {} });
    const auth = req.headers.authorization ?? "";
    if (auth !== `Bearer ${this.accessToken}` || this.revoked) {
      this.unauthorizedRequests++;
      this.notify();
      return json(res, 401, {
        errcode: "M_UNKNOWN_TOKEN",
        error: "Invalid access token passed.",
        soft_logout: false,
      });
    }
    const download = /^\/media\/download\/([^/]+)\/([^/]+)$/.exec(p);
    if (download && req.method === "GET") {
      const stored = this.media.get(`mxc://${download[1]}/${download[2]}`);
      if (!stored) return json(res, 404, { errcode: "M_NOT_FOUND", error: "Not found" });
      this.mediaDownloads.push(`mxc://${download[1]}/${download[2]}`);
      res.writeHead(200, {
        "content-type": stored.mimeType,
        "content-length": stored.data.byteLength,
        "content-disposition": "inline",
        "content-security-policy": "sandbox; default-src 'none';",
      });
      return void res.end(stored.data);
    }
    if (p === "/account/whoami")
      return json(res, 200, { user_id: this.userId, device_id: "OPENCLAWDEV", is_guest: false });
    if (p === "/sync") return this.sync(url, res);
    if (p.startsWith("/pushrules"))
      return json(res, 200, { global: { override: [], content: [], room: [], sender: [], underride: [] } });
    if (p === "/capabilities") return json(res, 200, { capabilities: {} });
    if (/^\/user\/[^/]+\/filter$/.test(p)) return json(res, 200, { filter_id: "1" });
    if (/^\/user\/[^/]+\/filter\/\w+$/.test(p)) return json(res, 200, {});
    const send = /^\/rooms\/([^/]+)\/send\/([^/]+)\/([^/]+)$/.exec(p);
    if (send && req.method === "PUT")
      return this.send(
        decodeURIComponent(send[1] ?? ""),
        decodeURIComponent(send[2] ?? ""),
        decodeURIComponent(send[3] ?? ""),
        body,
        req,
        res,
      );
    const typing = /^\/rooms\/([^/]+)\/typing\//.exec(p);
    if (typing) {
      this.typing.push(decodeURIComponent(typing[1] ?? ""));
      return json(res, 200, {});
    }
    if (/^\/rooms\/[^/]+\/(receipt|read_markers)/.test(p)) return json(res, 200, {});
    const join = /^\/(?:rooms\/([^/]+)\/join|join\/([^/]+))$/.exec(p);
    if (join) return json(res, 200, { room_id: decodeURIComponent(join[1] ?? join[2] ?? "") });
    if (/^\/rooms\/[^/]+\/members$/.test(p)) return json(res, 200, { chunk: [] });
    if (p.startsWith("/voip/") || p.startsWith("/keys/") || p.startsWith("/room_keys/"))
      return json(res, 200, {});
    json(res, 404, { errcode: "M_UNRECOGNIZED", error: `Unrecognized request ${req.method} ${p}` });
  }

  private send(
    roomId: string,
    type: string,
    txnId: string,
    body: string,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    const key = `${this.accessToken}:${txnId}`;
    const known = this.txns.get(key);
    if (known) return json(res, 200, { event_id: known });
    const limited = this.faults.findIndex((f) => f.kind === "rate-limit");
    if (limited >= 0) {
      const fault = this.faults.splice(limited, 1)[0] as { retryAfterMs: number };
      return json(res, 429, {
        errcode: "M_LIMIT_EXCEEDED",
        error: "Too Many Requests",
        retry_after_ms: fault.retryAfterMs,
      });
    }
    if (!this.rooms.has(roomId))
      return json(res, 403, { errcode: "M_FORBIDDEN", error: `User ${this.userId} not in room ${roomId}` });
    let content: Json;
    try {
      content = JSON.parse(body) as Json;
    } catch {
      return json(res, 400, { errcode: "M_NOT_JSON", error: "Content not JSON." });
    }
    const eventId = `$sent${this.nextEvent++}:fake.test`;
    this.txns.set(key, eventId);
    this.sent.push({
      roomId,
      txnId,
      eventId,
      type,
      text: typeof content.body === "string" ? content.body : "",
      ...(typeof content.formatted_body === "string" ? { html: content.formatted_body } : {}),
      content,
    });
    this.timeline.push({
      roomId,
      event: {
        type,
        sender: this.userId,
        content,
        origin_server_ts: Date.now(),
        event_id: eventId,
        unsigned: { transaction_id: txnId },
      },
    });
    const drop = this.faults.findIndex((f) => f.kind === "drop-after-processing");
    this.notify();
    if (drop >= 0) {
      this.faults.splice(drop, 1);
      req.socket.destroy();
      return;
    }
    json(res, 200, { event_id: eventId });
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
