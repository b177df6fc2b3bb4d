import type { GatewayTarget } from "./gateway-local.js";

/** A failure a client command prints as one line (runbook wording: `gateway connection failed:`, `unauthorized`). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface RpcSession {
  /** `expectFinal`: for two-phase methods (`agent`), resolve with the final answer, not the ack. */
  call<T = unknown>(
    method: string,
    params?: unknown,
    options?: { expectFinal?: boolean; timeoutMs?: number },
  ): Promise<T>;
  hello: Record<string, unknown>;
  close(): Promise<void>;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const inner =
      cause instanceof Error
        ? cause.message
        : cause && typeof cause === "object" && "message" in cause
          ? String((cause as { message: unknown }).message)
          : "";
    return inner && !error.message.includes(inner) ? `${error.message}: ${inner}` : error.message;
  }
  return String(error);
}

/** Connect to the gateway with @openclaw/client; errors become {@link CliError}s with the runbook's wording. */
export async function openRpc(target: GatewayTarget, scopes?: string[]): Promise<RpcSession> {
  const { GatewayClient, GatewayTransportError } = await import("@openclaw/client");
  const { CLI_VERSION } = await import("../version.js");
  const auth: { token?: string; password?: string } = {};
  if (target.token) auth.token = target.token;
  if (target.password) auth.password = target.password;
  const client = new GatewayClient({
    url: target.url,
    auth,
    client: { id: "cli", mode: "cli", version: CLI_VERSION },
    reconnect: false,
    connectTimeoutMs: target.timeoutMs,
    requestTimeoutMs: target.timeoutMs,
    ...(scopes ? { scopes } : {}),
  });
  let hello: Record<string, unknown>;
  try {
    hello = (await client.connect()) as unknown as Record<string, unknown>;
  } catch (error) {
    await client.close().catch(() => undefined);
    if (GatewayTransportError.isInstance(error)) {
      throw new CliError(
        `gateway connection failed: ${target.url} (${describe(error).replace(/^gateway connection failed:\s*/, "")}); is the gateway running? start it with \`openclaw gateway\` or check --url`,
      );
    }
    const message = describe(error);
    // the gateway says "device identity required" to a client with neither a device nor a
    // secret (as OpenClaw does); what the user lacks is the token
    if (!target.token && !target.password && /device identity required/i.test(message))
      throw new CliError(
        `unauthorized: gateway token missing (the gateway answered "device identity required"); pass --token <token>${target.explicitUrl ? " (an explicit --url never gets the stored token)" : " or set gateway.auth.token / OPENCLAW_GATEWAY_TOKEN"}`,
      );
    throw new CliError(message.startsWith("unauthorized") ? message : `unauthorized: ${message}`);
  }
  return {
    hello,
    async call<T>(
      method: string,
      params?: unknown,
      options?: { expectFinal?: boolean; timeoutMs?: number },
    ): Promise<T> {
      try {
        const request = client.request.bind(client) as (
          m: string,
          p?: unknown,
          o?: unknown,
        ) => Promise<unknown>;
        return (await request(method, params, options)) as T;
      } catch (error) {
        if (GatewayTransportError.isInstance(error)) {
          throw new CliError(
            `gateway connection failed: ${target.url} (${describe(error).replace(/^gateway connection failed:\s*/, "")})`,
          );
        }
        const message = describe(error);
        throw new CliError(message.startsWith(`${method} failed`) ? message : `${method} failed: ${message}`);
      }
    },
    close: () => client.close(),
  };
}

/** One call on a short-lived connection. */
export async function callGateway<T = unknown>(
  target: GatewayTarget,
  method: string,
  params?: unknown,
): Promise<T> {
  const session = await openRpc(target);
  try {
    return await session.call<T>(method, params);
  } finally {
    await session.close().catch(() => undefined);
  }
}

/**
 * Run a client command body, printing a {@link CliError} as one line. When it is done the process
 * exits as soon as stdout is flushed: a closed WebSocket can otherwise keep the loop alive ~1 s.
 */
export async function runClient(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error.exitCode;
  }
  const code = typeof process.exitCode === "number" ? process.exitCode : 0;
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}
