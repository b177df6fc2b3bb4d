import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A request a fake vendor server received, as the provider sent it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  rawBody: string;
  /** `rawBody` parsed as JSON, or undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary vendor request bodies
  body: any;
}

/**
 * How a fake answers one request.
 * - `json`: a complete JSON response (use for errors: status + vendor error body + headers).
 * - `stream`: writes `chunks` one `write()` each. `end` decides what happens after the last chunk:
 *   `"close"` (default) ends the response normally; `"disconnect"` destroys the socket without
 *   finishing the chunked body (a mid-stream network failure); `"hang"` keeps the response open
 *   until the client goes away (for abort tests).
 *   `splitEvery` re-slices the concatenated payload into writes of that many bytes, so parsers
 *   see events and JSON split at arbitrary points.
 */
export type FakeReply =
  | { type: "json"; status?: number; headers?: Record<string, string>; body: unknown }
  | { type: "text"; status?: number; headers?: Record<string, string>; body: string }
  | {
      type: "stream";
      status?: number;
      headers?: Record<string, string>;
      contentType: string;
      chunks: string[];
      end?: "close" | "disconnect" | "hang";
      splitEvery?: number;
    };

export type FakeRouteHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order (including ones to fixed routes such as model lists). */
  readonly requests: RecordedRequest[];
  /** Queue replies for the server's model endpoint(s); each request takes the next one. */
  enqueue(...replies: FakeReply[]): void;
  /** Replies still queued. */
  readonly pending: number;
  /** Add or replace a fixed route (`"GET /api/tags"`). Fixed routes win over the queue. */
  route(key: string, handler: FakeRouteHandler): void;
  /** Resolves with the next request to arrive (or the n-th already received, 0-based). */
  waitForRequest(index?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export interface StartFakeHttpServerOptions {
  /** Paths (regular expressions on the path) served from the reply queue. */
  queuedPaths: RegExp[];
  routes?: Record<string, FakeRouteHandler>;
  /** Routes matched by method + path pattern (after exact routes, before the queue). */
  patternRoutes?: Array<{ method: string; path: RegExp; handler: FakeRouteHandler }>;
  /** Reply when the queue is empty. Default: a 500 JSON body saying no reply was scripted. */
  onEmptyQueue?: FakeRouteHandler;
}

/** Start a fake HTTP server on 127.0.0.1 with a free port. */
export async function startFakeHttpServer(options: StartFakeHttpServerOptions): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  const routes = new Map<string, FakeRouteHandler>(Object.entries(options.routes ?? {}));
  const waiters: Array<{ index: number; resolve: (request: RecordedRequest) => void }> = [];
  const sockets = new Set<Socket>();

  const server = createServer(async (incoming: IncomingMessage, response: ServerResponse) => {
    const rawBody = await readBody(incoming);
    const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
    let body: unknown;
    try {
      body = rawBody === "" ? undefined : JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const request: RecordedRequest = {
      method: incoming.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      rawBody,
      body,
    };
    requests.push(request);
    for (const waiter of [...waiters]) {
      if (waiter.index < requests.length) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(requests[waiter.index] as RecordedRequest);
      }
    }

    let reply: FakeReply;
    const fixed =
      routes.get(`${request.method} ${request.path}`) ??
      options.patternRoutes?.find((route) => route.method === request.method && route.path.test(request.path))
        ?.handler;
    if (fixed) reply = await fixed(request);
    else if (options.queuedPaths.some((pattern) => pattern.test(request.path))) {
      reply = queue.shift() ?? (await (options.onEmptyQueue ?? noScriptedReply)(request));
    } else {
      reply = {
        type: "json",
        status: 404,
        body: { error: { message: `fake: no route ${request.method} ${request.path}` } },
      };
    }
    await writeReply(response, incoming.socket, reply);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue(...replies) {
      queue.push(...replies);
    },
    get pending() {
      return queue.length;
    },
    route(key, handler) {
      routes.set(key, handler);
    },
    waitForRequest(index = requests.length) {
      const existing = requests[index];
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve) => waiters.push({ index, resolve }));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function noScriptedReply(request: RecordedRequest): FakeReply {
  return {
    type: "json",
    status: 500,
    body: { error: { message: `fake: no scripted reply for ${request.method} ${request.path}` } },
  };
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    incoming.on("error", reject);
  });
}

async function writeReply(response: ServerResponse, socket: Socket, reply: FakeReply): Promise<void> {
  if (reply.type === "json" || reply.type === "text") {
    const text = reply.type === "json" ? JSON.stringify(reply.body) : reply.body;
    response.writeHead(reply.status ?? 200, {
      "content-type": reply.type === "json" ? "application/json" : "text/plain",
      ...reply.headers,
    });
    response.end(text);
    return;
  }
  response.writeHead(reply.status ?? 200, {
    "content-type": reply.contentType,
    "cache-control": "no-cache",
    ...reply.headers,
  });
  response.flushHeaders();
  const chunks = reply.splitEvery ? resplit(reply.chunks.join(""), reply.splitEvery) : reply.chunks;
  for (const chunk of chunks) {
    if (response.destroyed) return;
    response.write(chunk);
    // Yield so each write leaves as its own TCP segment more often than not.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const end = reply.end ?? "close";
  if (end === "close") response.end();
  else if (end === "disconnect") {
    await new Promise((resolve) => setImmediate(resolve));
    socket.destroy();
  }
  // "hang": leave it open; close() or the client's abort tears it down.
}

function resplit(text: string, size: number): string[] {
  const bytes = Buffer.from(text, "utf8");
  const out: string[] = [];
  // Slicing bytes may cut a multi-byte character; send Buffers' latin1 view would corrupt it, so
  // cut on character boundaries nearest to `size` bytes instead.
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + size);
    while (end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end++;
    out.push(bytes.subarray(start, end).toString("utf8"));
    start = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Wire encoders shared by the vendor fakes.

/** One Server-Sent Event: `event:` line when a name is given, then `data: <json>`. */
export function sseEvent(data: unknown, event?: string): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`;
}

/** A recorded SSE stream line in a fixture: `{ "event"?: string, "data": object | "[DONE]" }`. */
export interface SseFixtureLine {
  event?: string;
  data: unknown;
}

const FIXTURES = new URL("./__fixtures__/", import.meta.url);

/** Read a JSONL fixture (one JSON value per line) from `src/providers/__fixtures__/`. */
export function readJsonlFixture<T = unknown>(name: string): T[] {
  return readFileSync(new URL(name, FIXTURES), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** Read a JSON fixture from `src/providers/__fixtures__/`. */
export function readJsonFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as T;
}

export type StreamReplyOptions = {
  status?: number;
  headers?: Record<string, string>;
  end?: "close" | "disconnect" | "hang";
  splitEvery?: number;
};

/** A `text/event-stream` reply from SSE lines (`{event?, data}`). */
export function sseReply(lines: SseFixtureLine[], options: StreamReplyOptions = {}): FakeReply {
  return {
    type: "stream",
    contentType: "text/event-stream",
    chunks: lines.map((line) => sseEvent(line.data, line.event)),
    ...options,
  };
}

/** An `application/x-ndjson` reply, one JSON object per line. */
export function ndjsonReply(objects: unknown[], options: StreamReplyOptions = {}): FakeReply {
  return {
    type: "stream",
    contentType: "application/x-ndjson",
    chunks: objects.map((object) => `${JSON.stringify(object)}\n`),
    ...options,
  };
}

/** A JSON error reply (status, vendor error body, extra headers such as `retry-after`). */
export function jsonReply(status: number, body: unknown, headers?: Record<string, string>): FakeReply {
  return { type: "json", status, body, headers };
}

/** A raw stream reply with exactly these chunks (for malformed payloads). */
export function rawStreamReply(
  contentType: string,
  chunks: string[],
  options: StreamReplyOptions = {},
): FakeReply {
  return { type: "stream", contentType, chunks, ...options };
}
