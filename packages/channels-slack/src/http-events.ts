import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ChannelLogger } from "@openclaw/protocol/channel";

// biome-ignore lint/suspicious/noExplicitAny: raw Slack request JSON, checked field by field
type Json = Record<string, any>;

/** Largest request body accepted (Slack's own payloads are far smaller). */
export const SLACK_BODY_LIMIT = 4 * 1024 * 1024;
/** A signed request older than this is refused as a possible replay. */
const MAX_AGE_SECONDS = 5 * 60;

/**
 * Why a request's signature is not Slack's, or undefined when it is: `X-Slack-Signature` must be
 * `v0=` + hex HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<raw body>` keyed by the app's signing
 * secret, and the timestamp at most five minutes old.
 */
export function slackSignatureError(
  signingSecret: string,
  headers: { timestamp?: string; signature?: string },
  body: string,
  nowMs = Date.now(),
): string | undefined {
  const timestamp = Number(headers.timestamp);
  if (!headers.timestamp || !Number.isFinite(timestamp))
    return "missing or malformed x-slack-request-timestamp";
  if (timestamp < Math.floor(nowMs / 1000) - MAX_AGE_SECONDS) return "stale x-slack-request-timestamp";
  const [version, hash] = (headers.signature ?? "").split("=");
  if (version !== "v0" || !hash) return "missing or unknown x-slack-signature";
  const expected = createHmac("sha256", signingSecret).update(`v0:${headers.timestamp}:${body}`).digest();
  const given = Buffer.from(hash, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "signature mismatch";
  return undefined;
}

class TooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export interface SlackEventsServerOptions {
  port: number;
  path: string;
  signingSecret: string;
  logger: ChannelLogger;
  /** An Events API callback (`body.event`); resolves once it is journaled, then Slack gets its 200. */
  onEvent(body: Json): Promise<void>;
}

/**
 * Slack's Events API over HTTP on node:http: POST `path` only; `ssl_check` and `url_verification`
 * answered; every other request must carry a valid signature (401 otherwise). An event callback
 * is answered 200 once `onEvent` resolved (the ack follows the journal write), 500 when it
 * failed (Slack retries). Slash commands and interactive payloads have no handler: 404 at once.
 */
async function handle(options: SlackEventsServerOptions, req: IncomingMessage, res: ServerResponse) {
  const reply = (status: number, body?: Json) => {
    if (res.headersSent) return;
    res.writeHead(status, body ? { "content-type": "application/json" } : {});
    res.end(body ? JSON.stringify(body) : undefined);
  };
  const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
  if (req.method !== "POST" || pathname !== options.path) return reply(404);
  let raw: string;
  try {
    raw = await readBody(req, SLACK_BODY_LIMIT);
  } catch (error) {
    if (error instanceof TooLarge) {
      options.logger.warn(`slack: request body over ${SLACK_BODY_LIMIT} bytes refused`);
      return reply(413);
    }
    return reply(400);
  }
  const form = (req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
  if (form && new URLSearchParams(raw).get("ssl_check") === "1") return reply(200);
  const bad = slackSignatureError(
    options.signingSecret,
    {
      timestamp: headerValue(req, "x-slack-request-timestamp"),
      signature: headerValue(req, "x-slack-signature"),
    },
    raw,
  );
  if (bad) {
    options.logger.warn(`slack: request refused (${bad})`);
    return reply(401);
  }
  let body: Json;
  try {
    const payload = form ? new URLSearchParams(raw).get("payload") : null;
    body = form
      ? payload
        ? JSON.parse(payload)
        : Object.fromEntries(new URLSearchParams(raw))
      : JSON.parse(raw);
  } catch (error) {
    options.logger.warn(`slack: malformed request body (${(error as Error).message})`);
    return reply(400);
  }
  if (body?.type === "url_verification") return reply(200, { challenge: body.challenge });
  if (!body?.event) return reply(404);
  try {
    await options.onEvent(body);
    reply(200);
  } catch (error) {
    options.logger.error(`slack: event not journaled (${(error as Error).message}); Slack will retry`);
    reply(500);
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Listen on `port` (every interface, as Slack must reach it); resolves with the listening server. */
export async function startSlackEventsServer(options: SlackEventsServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error) => {
      options.logger.error(`slack: request failed (${(error as Error).message})`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => options.logger.error(`slack: events server error (${error.message})`));
  return server;
}

/** Stop listening and drop open connections. */
export async function closeSlackEventsServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
