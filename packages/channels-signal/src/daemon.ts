import { type ChildProcess, spawn } from "node:child_process";
import { ChannelError, MediaTooLargeError, readCapped } from "@openclaw/protocol/channel";

/** The signal-cli install hint shown when the executable is missing. */
export const SIGNAL_CLI_INSTALL_HINT =
  "install signal-cli (https://github.com/AsamK/signal-cli/releases, or your package manager), then link it with openclaw channels login --channel signal; or set channels.signal.httpUrl to a running signal-cli daemon";

export class SignalRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "SignalRpcError";
  }
}

let nextId = 1;

/**
 * One JSON-RPC call to `POST <httpUrl>/api/v1/rpc`. With `maxResponseBytes`, an answer longer
 * than that is cut off (`MediaTooLargeError`) instead of being read whole.
 */
export async function signalRpc<T>(
  httpUrl: string,
  method: string,
  params: Record<string, unknown>,
  signal?: AbortSignal,
  maxResponseBytes?: number,
): Promise<T> {
  const id = `oc-${nextId++}`;
  const res = await fetch(`${httpUrl}/api/v1/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", method, params, id }),
    ...(signal ? { signal } : {}),
  });
  const text =
    maxResponseBytes !== undefined && res.body
      ? new TextDecoder().decode(await readCapped(res.body, maxResponseBytes))
      : await res.text();
  let body: { result?: T; error?: { code?: number; message?: string } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new SignalRpcError(-32700, `signal-cli answered HTTP ${res.status} with no JSON`);
  }
  if (body.error) throw new SignalRpcError(body.error.code ?? -1, body.error.message ?? "signal-cli error");
  return body.result as T;
}

/**
 * An attachment signal-cli has downloaded, by its id (`getAttachment`, answered as base64): at most
 * `maxBytes` decoded, the JSON answer read no further than that size in base64.
 */
export async function signalAttachment(
  httpUrl: string,
  params: Record<string, unknown>,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  try {
    const result = await signalRpc<{ data?: string }>(
      httpUrl,
      "getAttachment",
      params,
      signal,
      Math.ceil(maxBytes / 3) * 4 + 4096,
    );
    if (typeof result?.data !== "string") throw new Error("signal-cli getAttachment answered no data");
    const data = Buffer.from(result.data, "base64");
    if (data.byteLength > maxBytes) throw new MediaTooLargeError(data.byteLength, maxBytes);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (error) {
    // the JSON was cut at the cap: the attachment is over it
    if (MediaTooLargeError.isInstance(error) && !error.exact)
      throw new MediaTooLargeError(maxBytes + 1, maxBytes, false);
    throw error;
  }
}

/**
 * Read `GET <httpUrl>/api/v1/events` (server-sent events) and call `onEvent` with each event's
 * JSON, one at a time (the next event is read once `onEvent` resolved).
 */
export async function readSignalEvents(
  httpUrl: string,
  onEvent: (data: unknown) => Promise<void>,
  signal: AbortSignal,
  onOpen: () => void,
): Promise<void> {
  const res = await fetch(`${httpUrl}/api/v1/events`, { headers: { accept: "text/event-stream" }, signal });
  if (!res.ok || !res.body) throw new Error(`signal-cli events: HTTP ${res.status}`);
  onOpen();
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(part, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          parsed = undefined;
        }
        await onEvent(parsed);
      }
      end = buffer.indexOf("\n\n");
    }
  }
  throw new Error("signal-cli event stream ended");
}

/** Spawn `signal-cli -a <account> daemon --http 127.0.0.1:<port>`; a missing executable is a clear error. */
export async function spawnSignalDaemon(options: {
  cliPath: string;
  account: string;
  port: number;
  log: { warn(m: string): void; debug(m: string): void };
}): Promise<{ httpUrl: string; child: ChildProcess }> {
  const child = spawn(
    options.cliPath,
    ["-a", options.account, "daemon", "--http", `127.0.0.1:${options.port}`, "--receive-mode", "on-start"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new ChannelError(
              "UNAUTHORIZED",
              `signal-cli not found (${options.cliPath}): ${SIGNAL_CLI_INSTALL_HINT}`,
            )
          : error,
      ),
    );
  });
  child.stderr?.on("data", (chunk: Buffer) =>
    options.log.debug(`signal-cli: ${chunk.toString().trim().slice(0, 300)}`),
  );
  const httpUrl = `http://127.0.0.1:${options.port}`;
  // wait for the HTTP endpoint (the JVM takes a few seconds to start)
  for (let attempt = 0; attempt < 120; attempt++) {
    if (child.exitCode !== null) throw new Error(`signal-cli daemon exited with code ${child.exitCode}`);
    const ok = await fetch(`${httpUrl}/api/v1/check`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { httpUrl, child };
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill();
  throw new Error("signal-cli daemon did not answer within 60 s");
}

/**
 * Link this machine as a Signal device: `signal-cli link -n <name>` prints an `sgnl://linkdevice?…`
 * URI (shown as a QR), then waits until the phone scanned it.
 */
export async function linkSignal(options: {
  cliPath?: string;
  deviceName?: string;
  onUri(uri: string): void;
  signal?: AbortSignal;
}): Promise<{ account?: string }> {
  const cliPath = options.cliPath ?? "signal-cli";
  const child = spawn(cliPath, ["link", "-n", options.deviceName ?? "OpenClaw"], {
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let output = "";
  let shown = false;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    const uri = /(sgnl:\/\/linkdevice\?\S+|tsdevice:\/?\?\S+)/.exec(output)?.[1];
    if (uri && !shown) {
      shown = true;
      options.onUri(uri);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new Error(`signal-cli not found (${cliPath}): ${SIGNAL_CLI_INSTALL_HINT}`)
          : error,
      ),
    );
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`signal-cli link failed (exit ${code}): ${output.trim().slice(-300)}`);
  const account = /(\+\d{6,})/.exec(output)?.[1];
  return account ? { account } : {};
}
