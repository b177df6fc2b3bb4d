import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { toAgentSessionKey } from "@openclaw/protocol/base";
import { AuthRateLimiter, safeEqual } from "./auth.js";
import { getPath } from "./config-path.js";
import type { GatewayRuntime } from "./gateway.js";
import { clientAddress, isLoopbackAddress } from "./net.js";
import { GatewayMethodError, type JsonObject } from "./types.js";

const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(self), microphone=*, geolocation=*, clipboard-write=*",
};

/** Default body caps (bytes). */
export const BODY_LIMITS = { default: 2 * 1024 * 1024, hooks: 256 * 1024 };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, head = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(head ? undefined : text);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Read a body up to `limit` bytes; beyond it answer 413 and cut the connection. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      reject(new HttpError(413, `request body too large (limit ${limit} bytes)`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `request body too large (limit ${limit} bytes)`));
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function readJson(req: IncomingMessage, limit: number): Promise<JsonObject> {
  const text = await readBody(req, limit);
  try {
    const value = JSON.parse(text || "{}") as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new Error("expected a JSON object");
    return value as JsonObject;
  } catch (error) {
    throw new HttpError(400, `invalid JSON body: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === "string" && header.toLowerCase().startsWith("bearer ")) return header.slice(7).trim();
  return undefined;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === "object" && part && (part as JsonObject).type === "text"
          ? String((part as JsonObject).text ?? "")
          : "",
      )
      .join("");
  }
  return "";
}

/** A method error from the assistant as an HTTP answer (400 bad request, 503 unavailable). */
function asHttpError(error: unknown): never {
  if (error instanceof GatewayMethodError)
    throw new HttpError(
      error.shape.code === "UNAVAILABLE" ? 503 : 400,
      error.shape.message,
      error.shape.code === "UNAVAILABLE" ? "unavailable" : "invalid_request",
    );
  throw error;
}

/** What the HTTP endpoints share: the gateway's runtime and the hooks' own failed-auth limiter. */
interface HttpContext {
  runtime: GatewayRuntime;
  hookLimiter: AuthRateLimiter;
}

function gatewayAuthOk(ctx: HttpContext, req: IncomingMessage): boolean {
  const auth = ctx.runtime.currentAuth();
  if (auth.mode === "none") return true;
  const presented = bearer(req);
  if (!presented) return false;
  const secret = auth.mode === "password" ? auth.password : auth.token;
  return Boolean(secret && safeEqual(presented, secret));
}

function requireGatewayAuth(ctx: HttpContext, req: IncomingMessage): void {
  const remote = clientAddress(req.socket.remoteAddress, req.headers);
  const retry = ctx.runtime.rateLimiter.retryAfter(remote);
  if (retry > 0)
    throw new HttpError(
      429,
      `too many failed authentication attempts; retry in ${Math.ceil(retry / 1000)} s`,
      "rate_limited",
    );
  if (!gatewayAuthOk(ctx, req)) {
    ctx.runtime.rateLimiter.recordFailure(remote);
    ctx.runtime.counters.authFailures += 1;
    throw new HttpError(401, "Unauthorized", "unauthorized");
  }
}

function enabled(ctx: HttpContext, flag: "chatCompletions" | "toolsInvoke" | "metrics"): boolean {
  const option = ctx.runtime.options.http?.[flag];
  if (option !== undefined) return option;
  return getPath(ctx.runtime.config(), `gateway.http.endpoints.${flag}.enabled`) === true;
}

async function chatCompletions(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireGatewayAuth(ctx, req);
  const body = await readJson(req, BODY_LIMITS.default);
  const assistant = ctx.runtime.options.assistant;
  if (!assistant?.events)
    throw new HttpError(503, "the assistant is not available on this gateway", "server_error");
  const model = typeof body.model === "string" ? body.model : "openclaw";
  const headerAgent = req.headers["x-openclaw-agent-id"];
  const match = /^(?:openclaw|agent):(.+)$/.exec(model);
  const agentId = (typeof headerAgent === "string" && headerAgent) || match?.[1] || "main";
  const messages = Array.isArray(body.messages) ? (body.messages as JsonObject[]) : [];
  const lastUser = [...messages].reverse().find((message) => message.role === "user");
  if (!lastUser) throw new HttpError(400, "messages must contain a user message");
  const headerSession = req.headers["x-openclaw-session-key"];
  // canonical, as the assistant's events carry it (`main` → `agent:main:main`, lower-cased rest)
  const sessionKey = toAgentSessionKey(
    (typeof headerSession === "string" && headerSession) ||
      `agent:${agentId}:openai:${typeof body.user === "string" && body.user ? body.user : randomUUID()}`,
    agentId,
  );
  const stream = body.stream === true;
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  let runId: string | undefined;
  let text = "";
  const events = assistant.events;
  const done = new Promise<{ error?: string }>((resolve) => {
    const timer = setTimeout(() => finish({ error: "timed out waiting for the agent" }), 120_000);
    const listener = (event: JsonObject) => {
      if (event.sessionKey !== sessionKey || (runId && event.runId !== runId)) return;
      if (event.state === "delta" && typeof event.deltaText === "string") {
        text += event.deltaText;
        if (stream) chunk({ content: event.deltaText }, null);
      } else if (event.state === "final") {
        const finalText = textOf((event.message as JsonObject | undefined)?.content);
        if (finalText && !text) {
          text = finalText;
          if (stream) chunk({ content: finalText }, null);
        }
        finish({});
      } else if (event.state === "error" || event.state === "aborted") {
        finish({
          error: typeof event.errorMessage === "string" ? event.errorMessage : `run ${event.state}`,
        });
      }
    };
    function finish(result: { error?: string }) {
      clearTimeout(timer);
      events.off("chat", listener);
      resolve(result);
    }
    events.on("chat", listener);
    res.on("close", () => finish({ error: "client closed" }));
  });
  function chunk(delta: JsonObject, finishReason: string | null) {
    res.write(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`,
    );
  }
  if (stream) {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    });
    chunk({ role: "assistant" }, null);
  }
  const accepted = await ctx.runtime.call("chat.send", {
    sessionKey,
    message: textOf(lastUser.content),
    idempotencyKey: randomUUID(),
  });
  runId = accepted.runId;
  const result = await done;
  if (stream) {
    if (result.error)
      res.write(`data: ${JSON.stringify({ error: { message: result.error, type: "server_error" } })}\n\n`);
    else chunk({}, "stop");
    res.end("data: [DONE]\n\n");
    return;
  }
  if (result.error) throw new HttpError(502, result.error, "server_error");
  sendJson(res, 200, {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
}

/**
 * `POST /tools/invoke` (spec §2): body `{ tool, action?, args?, sessionKey?, dryRun? }`; the
 * assistant's `invokeTool` answers `{ ok: true, result }` or `{ ok: false, status, error }`
 * (it owns the tool policy); this handler owns auth, the body and the status codes.
 */
async function toolsInvoke(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireGatewayAuth(ctx, req);
  const body = await readJson(req, BODY_LIMITS.default);
  if (typeof body.tool !== "string" || !body.tool.trim()) {
    sendJson(res, 400, {
      ok: false,
      error: { type: "invalid_request", message: "body.tool is required (a tool name)" },
    });
    return;
  }
  const assistant = ctx.runtime.options.assistant;
  if (!assistant?.invokeTool) {
    sendJson(res, 404, {
      ok: false,
      error: { type: "not_found", message: `tool not available: ${body.tool}` },
    });
    return;
  }
  const header = (name: string) =>
    typeof req.headers[name] === "string" ? (req.headers[name] as string) : undefined;
  const channel = header("x-openclaw-message-channel");
  const accountId = header("x-openclaw-account-id");
  let answer: Awaited<ReturnType<typeof assistant.invokeTool>>;
  try {
    answer = await assistant.invokeTool({
      ...body,
      tool: body.tool,
      ...(channel ? { messageChannel: channel } : {}),
      ...(accountId ? { accountId } : {}),
    });
  } catch (error) {
    sendJson(res, 400, {
      ok: false,
      error: { type: "tool_error", message: error instanceof Error ? error.message : String(error) },
    });
    return;
  }
  if (answer.ok === false) {
    const status = typeof answer.status === "number" ? answer.status : 400;
    sendJson(res, status, { ok: false, error: answer.error });
    return;
  }
  sendJson(res, 200, { ok: true, result: answer.result });
}

async function hooks(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
): Promise<void> {
  const cfg = ctx.runtime.config();
  const token = getPath(cfg, "hooks.token");
  const remote = clientAddress(req.socket.remoteAddress, req.headers);
  if (ctx.hookLimiter.retryAfter(remote) > 0)
    throw new HttpError(429, "too many failed hook authentication attempts", "rate_limited");
  const presented =
    bearer(req) ??
    (typeof req.headers["x-openclaw-token"] === "string" ? req.headers["x-openclaw-token"] : undefined);
  if (typeof token !== "string" || !presented || !safeEqual(presented, token)) {
    ctx.hookLimiter.recordFailure(remote);
    throw new HttpError(401, "Unauthorized", "unauthorized");
  }
  const body = await readJson(req, BODY_LIMITS.hooks);
  const assistant = ctx.runtime.options.assistant;
  if (name === "wake") {
    if (typeof body.text !== "string") throw new HttpError(400, "body.text is required");
    if (!assistant) throw new HttpError(503, "wake is not available on this gateway", "server_error");
    const result = await ctx.runtime
      .call("wake", { text: body.text, mode: body.mode === "next-heartbeat" ? "next-heartbeat" : "now" })
      .catch(asHttpError);
    sendJson(res, 200, { ...result, ok: true });
    return;
  }
  if (name === "agent") {
    if (typeof body.message !== "string" || !body.message.trim())
      throw new HttpError(400, "body.message is required");
    if (!assistant)
      throw new HttpError(503, "the assistant is not available on this gateway", "server_error");
    // a caller picks the session only where the config allows it (spec: hooks.allowRequestSessionKey)
    const requested = typeof body.sessionKey === "string" && body.sessionKey ? body.sessionKey : undefined;
    if (requested && getPath(cfg, "hooks.allowRequestSessionKey") !== true)
      throw new HttpError(
        400,
        "body.sessionKey is not accepted; set hooks.allowRequestSessionKey: true to let hook callers choose the session",
      );
    const allowedAgents = getPath(cfg, "hooks.allowedAgentIds");
    if (
      typeof body.agentId === "string" &&
      Array.isArray(allowedAgents) &&
      !allowedAgents.includes("*") &&
      !allowedAgents.includes(body.agentId)
    )
      throw new HttpError(400, `agentId "${body.agentId}" is not in hooks.allowedAgentIds`);
    const fallback = getPath(cfg, "hooks.defaultSessionKey");
    const sessionKey =
      requested ?? (typeof fallback === "string" && fallback ? fallback : `hook:${randomUUID()}`);
    const str = (value: unknown) => (typeof value === "string" && value ? value : undefined);
    const [agentId, thinking] = [str(body.agentId), str(body.thinking)];
    const result = await ctx.runtime
      .call("agent", {
        message: body.message,
        sessionKey,
        idempotencyKey: randomUUID(),
        ...(agentId ? { agentId } : {}),
        ...(thinking ? { thinking } : {}),
      })
      .catch(asHttpError);
    sendJson(res, 202, { ok: true, sessionKey, ...result });
    return;
  }
  await mappedHook(ctx, req, res, name, body);
}

/**
 * `hooks.mappings` (core's hooks module, loaded on the first mapped call): the first mapping at
 * this path renders a wake or an agent action; a retry with the same idempotency key replays.
 */
async function mappedHook(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  body: JsonObject,
): Promise<void> {
  const hooks = await import("@openclaw/core/hooks");
  const request = { path: name.replace(/^\/+|\/+$/g, ""), payload: body, headers: req.headers };
  let action: ReturnType<typeof hooks.resolveHookAction>;
  try {
    action = hooks.resolveHookAction((getPath(ctx.runtime.config(), "hooks") ?? {}) as JsonObject, request);
  } catch (error) {
    if (error instanceof hooks.HookMappingError) throw new HttpError(error.status, error.message);
    throw error;
  }
  if (!action) throw new HttpError(404, `unknown hook: ${name}`, "not_found");
  const found = action;
  const key = hooks.hookIdempotencyKey(request);
  const dispatch = async (): Promise<unknown> => {
    if (found.kind === "wake") return ctx.runtime.call("wake", { text: found.text, mode: found.mode });
    if (found.deliver) {
      // an isolated turn whose reply goes to a chat: a one-shot cron job run now (the scheduler's
      // durable delivery: a crash between the turn and the send delivers once after restart)
      const job = await ctx.runtime.call("cron.add", {
        name: `hook: ${found.name}`,
        schedule: { kind: "at", at: new Date().toISOString() },
        sessionTarget: "isolated",
        wakeMode: "now",
        deleteAfterRun: true,
        ...(found.sessionKey ? { sessionKey: found.sessionKey } : {}),
        ...(found.agentId ? { agentId: found.agentId } : {}),
        payload: {
          kind: "agentTurn",
          message: found.message,
          deliver: true,
          channel: found.channel,
          ...(found.to ? { to: found.to } : {}),
          ...(found.model ? { model: found.model } : {}),
          ...(found.thinking ? { thinking: found.thinking } : {}),
          ...(found.timeoutSeconds ? { timeoutSeconds: found.timeoutSeconds } : {}),
        },
      });
      await ctx.runtime.call("cron.run", { id: job.id, mode: "force" });
      return { jobId: job.id };
    }
    return ctx.runtime.call("agent", {
      message: found.message,
      label: found.name,
      sessionKey: found.sessionKey ?? `hook:${randomUUID()}`,
      idempotencyKey: key ? `hook:${request.path}:${key}` : randomUUID(),
      ...(found.agentId ? { agentId: found.agentId } : {}),
      ...(found.model ? { model: found.model } : {}),
      ...(found.thinking ? { thinking: found.thinking } : {}),
      ...(found.timeoutSeconds ? { timeout: found.timeoutSeconds } : {}),
    });
  };
  const run = key
    ? hooks.hookReplayCache().run(`${request.path}:${key}`, dispatch)
    : { replayed: false, result: dispatch() };
  const answer = (await run.result.catch(asHttpError)) as JsonObject;
  sendJson(res, found.kind === "wake" ? 200 : 202, {
    ...answer,
    ok: true,
    ...(run.replayed ? { replayed: true } : {}),
  });
}

function metrics(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): void {
  const remote = clientAddress(req.socket.remoteAddress, req.headers);
  if (!isLoopbackAddress(remote)) requireGatewayAuth(ctx, req);
  const loop = ctx.runtime.eventLoop();
  const open = [...ctx.runtime.connections.values()];
  const lines = [
    "# HELP openclaw_gateway_uptime_seconds Seconds since the gateway started.",
    "# TYPE openclaw_gateway_uptime_seconds gauge",
    `openclaw_gateway_uptime_seconds ${((Date.now() - ctx.runtime.startedAt) / 1000).toFixed(3)}`,
    "# HELP openclaw_gateway_connections Open WebSocket connections by state.",
    "# TYPE openclaw_gateway_connections gauge",
    `openclaw_gateway_connections{state="authenticated"} ${open.filter((conn) => conn.state === "open").length}`,
    `openclaw_gateway_connections{state="pending"} ${open.filter((conn) => conn.state !== "open").length}`,
    "# HELP openclaw_gateway_requests_total RPC requests served, by method.",
    "# TYPE openclaw_gateway_requests_total counter",
    ...[...ctx.runtime.counters.requests].map(
      ([method, count]) => `openclaw_gateway_requests_total{method="${method}"} ${count}`,
    ),
    "# HELP openclaw_gateway_auth_failures_total Failed authentication attempts.",
    "# TYPE openclaw_gateway_auth_failures_total counter",
    `openclaw_gateway_auth_failures_total ${ctx.runtime.counters.authFailures}`,
    "# HELP openclaw_gateway_http_requests_total HTTP requests received.",
    "# TYPE openclaw_gateway_http_requests_total counter",
    `openclaw_gateway_http_requests_total ${ctx.runtime.counters.httpRequests}`,
    "# HELP openclaw_process_resident_memory_bytes Resident set size.",
    "# TYPE openclaw_process_resident_memory_bytes gauge",
    `openclaw_process_resident_memory_bytes ${process.memoryUsage.rss()}`,
    "# HELP openclaw_event_loop_delay_p99_seconds Event loop delay, 99th percentile.",
    "# TYPE openclaw_event_loop_delay_p99_seconds gauge",
    `openclaw_event_loop_delay_p99_seconds ${(Number(loop.delayP99Ms) / 1000).toFixed(4)}`,
    "",
  ];
  sendText(res, 200, lines.join("\n"), "text/plain; version=0.0.4; charset=utf-8");
}

async function route(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.runtime.counters.httpRequests += 1;
  const url = new URL(req.url ?? "/", "http://gateway.invalid");
  const path = url.pathname;
  const method = req.method ?? "GET";
  const head = method === "HEAD";
  const remote = clientAddress(req.socket.remoteAddress, req.headers);
  if (path === "/health" || path === "/healthz") {
    if (method !== "GET" && !head) throw new HttpError(405, "Method Not Allowed");
    sendJson(res, 200, { ok: true, status: "live" }, head);
    return;
  }
  if (path === "/ready" || path === "/readyz") {
    if (method !== "GET" && !head) throw new HttpError(405, "Method Not Allowed");
    const ready = !ctx.runtime.closing();
    const detailed = isLoopbackAddress(remote) || gatewayAuthOk(ctx, req);
    const body = detailed
      ? {
          ready,
          failing: ready ? [] : ["shutdown"],
          uptimeMs: Date.now() - ctx.runtime.startedAt,
          eventLoop: ctx.runtime.eventLoop(),
        }
      : { ready };
    sendJson(res, ready ? 200 : 503, body, head);
    return;
  }
  if (path === "/api/health") {
    const healthy = !ctx.runtime.closing();
    sendJson(res, healthy ? 200 : 503, { status: healthy ? "healthy" : "stopping" }, head);
    return;
  }
  if (path === "/v1/chat/completions" && enabled(ctx, "chatCompletions")) {
    if (method !== "POST") throw new HttpError(405, "Method Not Allowed");
    await chatCompletions(ctx, req, res);
    return;
  }
  if (path === "/tools/invoke" && enabled(ctx, "toolsInvoke")) {
    if (method !== "POST") throw new HttpError(405, "Method Not Allowed");
    await toolsInvoke(ctx, req, res);
    return;
  }
  if (path === "/metrics" && enabled(ctx, "metrics")) {
    if (method !== "GET" && !head) throw new HttpError(405, "Method Not Allowed");
    metrics(ctx, req, res);
    return;
  }
  const optIn: Record<string, "chatCompletions" | "toolsInvoke" | "metrics"> = {
    "/v1/chat/completions": "chatCompletions",
    "/tools/invoke": "toolsInvoke",
    "/metrics": "metrics",
  };
  if (optIn[path]) {
    // a switched-off endpoint says how to switch it on
    throw new HttpError(
      404,
      `${path} is disabled on this gateway; enable it with gateway.http.endpoints.${optIn[path]}.enabled: true`,
      "not_found",
    );
  }
  const hooksEnabled = getPath(ctx.runtime.config(), "hooks.enabled") === true;
  const hooksBase = String(getPath(ctx.runtime.config(), "hooks.path") ?? "/hooks").replace(/\/+$/, "");
  if (hooksEnabled && path.startsWith(`${hooksBase}/`)) {
    if (method !== "POST") throw new HttpError(405, "Method Not Allowed");
    await hooks(ctx, req, res, path.slice(hooksBase.length + 1));
    return;
  }
  if (path === "/chat" || path.startsWith("/chat/")) {
    // the built-in WebChat page (loaded on first use): the security headers of every answer
    // plus its own strict CSP
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const { handleWebChatRequest } = await import("./webchat/webchat-page.js");
    if (handleWebChatRequest(req, res)) return;
    if (method !== "GET" && !head) throw new HttpError(405, "Method Not Allowed");
    sendText(res, 404, "Not Found");
    return;
  }
  if (
    (method === "GET" || head) &&
    !path.startsWith("/v1/") &&
    !path.startsWith("/api/") &&
    !path.startsWith("/tools/") &&
    path !== "/metrics"
  ) {
    // the Control UI's files (loaded with the first page request, not at start)
    const { serveControlUi } = await import("./control-ui.js");
    if (await serveControlUi(ctx.runtime, req, res, path, SECURITY_HEADERS)) return;
  }
  sendText(res, 404, "Not Found");
}

/** The HTTP side of the gateway port. */
export function createHttpHandler(
  runtime: GatewayRuntime,
): (req: IncomingMessage, res: ServerResponse) => void {
  const ctx: HttpContext = {
    runtime,
    hookLimiter: new AuthRateLimiter(() => ({
      maxAttempts: 20,
      windowMs: 60_000,
      lockoutMs: 60_000,
      exemptLoopback: false,
    })),
  };
  return (req, res) => {
    route(ctx, req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      const type = error instanceof HttpError ? error.type : "server_error";
      if (status >= 500)
        ctx.runtime.logger.error({ path: req.url?.split("?")[0], err: message }, "http request failed");
      if (res.headersSent) {
        res.end();
        return;
      }
      res.setHeader("Connection", "close");
      sendJson(res, status, { error: { message, type } });
      if (status === 413) req.socket.destroySoon?.();
    });
  };
}
