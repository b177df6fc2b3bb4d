import type { Server } from "node:http";
import type { Duplex } from "node:stream";
import { generateGatewayToken, type ResolvedAuth, resolveListenHost } from "./auth.js";
import { getPath } from "./config-path.js";
import { type GatewayLockInfo, readGatewayLock, releaseGatewayLock, writeGatewayLock } from "./lock.js";
import type { Logger } from "./logging.js";
import { type BindMode, isLoopbackHost, wsUrl } from "./net.js";
import type { ConfigSnapshot, GatewayConfigStore, JsonObject } from "./types.js";

/** A start failure with a one-line, user-facing message (print it without a stack). */
export class GatewayStartError extends Error {
  override readonly name = "GatewayStartError";
  constructor(
    readonly code: "EADDRINUSE" | "BIND_WITHOUT_AUTH" | "AUTH_NONE_NOT_LOOPBACK" | "BIND_FAILED" | "CONFIG",
    message: string,
  ) {
    super(message);
  }
}

/** An invalid config refuses the start, one line per issue (core's loader appends a code frame). */
export function invalidConfigError(snapshot: ConfigSnapshot): GatewayStartError | undefined {
  if (snapshot.valid) return undefined;
  const issues = (snapshot.issues ?? []).map((issue) => {
    const message = issue.message.split("\n", 1)[0]?.trim() ?? "";
    return issue.path && !message.startsWith(issue.path) ? `${issue.path}: ${message}` : message;
  });
  return new GatewayStartError(
    "CONFIG",
    `invalid config at ${snapshot.path}: ${issues.join("; ") || "unreadable"}`,
  );
}

/** Where to listen: port = option > `OPENCLAW_GATEWAY_PORT` > `gateway.port` > 18789; host from the bind mode. */
export function bindSettings(
  config: JsonObject,
  options: { port?: number; bind?: BindMode; customBindHost?: string },
  env: NodeJS.ProcessEnv,
): { host: string; mode: BindMode; port: number } {
  const envPort = env.OPENCLAW_GATEWAY_PORT ? Number(env.OPENCLAW_GATEWAY_PORT) : undefined;
  const port =
    options.port ??
    (envPort !== undefined && Number.isInteger(envPort) ? envPort : undefined) ??
    (getPath(config, "gateway.port") as number | undefined) ??
    18789;
  try {
    const { host, mode } = resolveListenHost(config, {
      ...(options.bind ? { bind: options.bind } : {}),
      ...(options.customBindHost ? { customBindHost: options.customBindHost } : {}),
    });
    return { host, mode, port };
  } catch (error) {
    throw new GatewayStartError("CONFIG", error instanceof Error ? error.message : String(error));
  }
}

/**
 * Refuse a bind that would expose the gateway without auth; on loopback in token mode with no
 * token, generate one into the config (unless `generate` is false). Returns the generated token.
 */
export async function ensureAuth(
  auth: ResolvedAuth,
  target: { host: string; port: number },
  config: GatewayConfigStore,
  generate: boolean,
  logger: Logger,
): Promise<string | undefined> {
  const loopback = isLoopbackHost(target.host);
  const where = `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`;
  if (auth.mode === "none" && !loopback) {
    throw new GatewayStartError(
      "BIND_WITHOUT_AUTH",
      `refusing to bind gateway to ${where} without auth (gateway.auth.mode is "none"; set a token or password, or bind to loopback)`,
    );
  }
  const hasSecret =
    auth.mode === "password" ? Boolean(auth.password) : auth.mode === "token" ? Boolean(auth.token) : true;
  if (hasSecret) return undefined;
  if (!loopback) {
    throw new GatewayStartError(
      "BIND_WITHOUT_AUTH",
      `refusing to bind gateway to ${where} without auth (set gateway.auth.token or gateway.auth.password, pass --token, or use --bind loopback)`,
    );
  }
  if (auth.mode !== "token" || !generate) return undefined;
  const token = generateGatewayToken();
  await config.setPath("gateway.auth.token", token);
  logger.info({ configPath: config.path }, "generated gateway.auth.token on first start");
  return token;
}

/** State dirs a gateway of this process listens on (a second one in-process is refused too). */
const activeStateDirs = new Set<string>();

/** The state dir's gateway lock (`gateway.lock`): one gateway per state dir. */
export class StateDirLock {
  private taken = false;

  constructor(
    private readonly stateDir: string,
    private readonly enabled: boolean,
  ) {}

  acquire(host: string, port: number): void {
    if (!this.enabled) return;
    const held = readGatewayLock(this.stateDir);
    if ((held && held.pid !== process.pid) || activeStateDirs.has(this.stateDir)) {
      const where = held ? held.url : "this state dir";
      throw new GatewayStartError(
        "EADDRINUSE",
        `another gateway instance is already listening on ${where} (EADDRINUSE; state dir ${this.stateDir}${held ? `, pid ${held.pid}` : ""}); stop it with \`openclaw gateway stop\` or start with --force`,
      );
    }
    activeStateDirs.add(this.stateDir);
    this.taken = true;
    this.write(host, port);
  }

  /** Record the address actually bound (port 0 → the chosen port). */
  write(host: string, port: number): void {
    if (!this.taken) return;
    writeGatewayLock(this.stateDir, {
      pid: process.pid,
      host,
      port,
      url: wsUrl(host, port),
      startedAt: new Date().toISOString(),
    } satisfies GatewayLockInfo);
  }

  release(): void {
    if (!this.taken) return;
    this.taken = false;
    activeStateDirs.delete(this.stateDir);
    releaseGatewayLock(this.stateDir);
  }
}

/** Listen, turning a bind failure into a {@link GatewayStartError}. */
export async function listenOn(server: Server, host: string, port: number): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    const target = wsUrl(host, port);
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new GatewayStartError(
        "EADDRINUSE",
        `another gateway instance is already listening on ${target} (EADDRINUSE); stop it with \`openclaw gateway stop\`, pick another --port, or start with --force`,
      );
    }
    throw new GatewayStartError("BIND_FAILED", `cannot listen on ${target}: ${(error as Error).message}`);
  }
}

/** A malformed or too slow request: 400 / 408 and close. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT" || error.code === "ERR_HTTP_HEADERS_TIMEOUT";
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    timedOut
      ? "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
      : "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
  );
}
