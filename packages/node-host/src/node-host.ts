import { hostname } from "node:os";
import { join } from "node:path";
import { GatewayClient, type ReconnectOptions, type WebSocketConstructor } from "@openclaw/client";
import {
  type DeviceIdentity,
  exportDeviceIdentity,
  generateDeviceIdentity,
  importDeviceIdentity,
  OpenClawError,
} from "@openclaw/protocol/base";
import { builtinCommands, type SystemRunHost } from "./commands.js";
import { NodeCommandError, type NodeCommandHandler } from "./errors.js";

export type { NodeCommandContext, NodeCommandHandler } from "./errors.js";
export { NodeCommandError };

import { readNodeFile, writeNodeFile } from "./identity.js";
import { VERSION } from "./version.js";

export interface NodeHostOptions {
  /** Gateway WebSocket URL (`ws://gateway:18789`, `wss://…`). */
  url: string;
  /** The gateway's shared secret, for the first connect (the device token is used after). */
  auth?: { token?: string; password?: string };
  /** Where `node.json` (identity, device token; 0600) and `exec-approvals.json` live. */
  stateDir: string;
  displayName?: string;
  /** Capability categories announced at connect (default `["system"]`). */
  caps?: string[];
  /** Extra commands (or replacements of built-ins) by name. */
  commands?: Record<string, NodeCommandHandler>;
  /** Serve `system.run`, `system.which`, `system.notify`, `system.execApprovals.get|set` (default true). */
  builtins?: boolean;
  /** One line per event worth telling the user (default: stderr). */
  log?: (line: string) => void;
  /** Default: the `ws` package's, without permessage-deflate. */
  WebSocket?: WebSocketConstructor;
  reconnect?: ReconnectOptions;
  /** How long `system.run` waits for an operator's approval before `askFallback` (default 120 000 ms). */
  approvalTimeoutMs?: number;
  /** Most bytes of stdout/stderr each returned by `system.run` (default 200 000). */
  maxOutputBytes?: number;
}

/** What a node reads of a `node.invoke.request` (the client passes event payloads on unchecked). */
interface InvokeRequest {
  id: string;
  command: string;
  paramsJSON?: string | null;
}

function invokeRequest(payload: unknown): InvokeRequest | undefined {
  const value = payload as Partial<Record<keyof InvokeRequest, unknown>> | null;
  if (typeof value !== "object" || value === null) return undefined;
  if (typeof value.id !== "string" || value.id === "" || typeof value.command !== "string") return undefined;
  const paramsJSON = value.paramsJSON;
  if (paramsJSON !== undefined && paramsJSON !== null && typeof paramsJSON !== "string") return undefined;
  return { id: value.id, command: value.command, paramsJSON };
}

let wsConstructor: Promise<WebSocketConstructor> | undefined;
/**
 * The `ws` package's WebSocket without the permessage-deflate offer: a gateway that accepted it
 * would keep a deflate and an inflate context (zlib windows) for the node's whole life, for frames
 * of a few hundred bytes.
 */
function defaultWebSocket(): Promise<WebSocketConstructor> {
  wsConstructor ??= import("ws").then(({ default: WebSocket }) => {
    class NodeWebSocket extends WebSocket {
      constructor(url: string) {
        super(url, { perMessageDeflate: false });
      }
    }
    return NodeWebSocket as unknown as WebSocketConstructor;
  });
  return wsConstructor;
}

/**
 * A headless OpenClaw node: connects with `role: "node"` and a device identity, asks to be paired,
 * answers `node.invoke.request` events with `node.invoke.result`, reconnects with backoff.
 */
export class NodeHost {
  private readonly options: NodeHostOptions;
  private readonly handlers = new Map<string, NodeCommandHandler>();
  private readonly abort = new AbortController();
  private client: GatewayClient | undefined;
  private identity: DeviceIdentity | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  /** `paired` once the gateway's node pairing store has this node. */
  pairing: "unknown" | "pending" | "paired" = "unknown";

  constructor(options: NodeHostOptions) {
    this.options = options;
    if (options.builtins !== false) {
      for (const [name, handler] of Object.entries(builtinCommands(this.runHost())))
        this.handlers.set(name, handler);
    }
    for (const [name, handler] of Object.entries(options.commands ?? {})) this.handlers.set(name, handler);
  }

  get nodeFilePath(): string {
    return join(this.options.stateDir, "node.json");
  }

  get approvalsPath(): string {
    return join(this.options.stateDir, "exec-approvals.json");
  }

  /** The node id (its device id), once `start()` loaded or created the identity. */
  get nodeId(): string | undefined {
    return this.identity?.deviceId;
  }

  /** The commands this node declares. */
  get commandNames(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Add (or replace) a command before `start()`. */
  addCommand(name: string, handler: NodeCommandHandler): this {
    this.handlers.set(name, handler);
    return this;
  }

  private log(line: string): void {
    (this.options.log ?? ((text: string) => process.stderr.write(`${text}\n`)))(line);
  }

  private runHost(): SystemRunHost {
    return {
      approvalsPath: () => this.approvalsPath,
      nodeId: () => this.nodeId ?? "",
      log: (line) => this.log(line),
      approvalTimeoutMs: this.options.approvalTimeoutMs ?? 120_000,
      maxOutputBytes: this.options.maxOutputBytes,
      request: (method, params, timeoutMs) => {
        if (!this.client) return Promise.reject(new Error("not connected"));
        return this.client.request(method, params, timeoutMs ? { timeoutMs } : {});
      },
    };
  }

  /** Load (or create) the identity, connect, and keep connected until `stop()`. Resolves on the first hello-ok. */
  async start(): Promise<void> {
    const file = readNodeFile(this.nodeFilePath);
    if (file.device) this.identity = await importDeviceIdentity(file.device);
    else {
      this.identity = await generateDeviceIdentity();
      file.device = await exportDeviceIdentity(this.identity);
    }
    file.nodeId = this.identity.deviceId;
    if (this.options.displayName) file.displayName = this.options.displayName;
    writeNodeFile(this.nodeFilePath, file);
    await new Promise<void>((resolve, reject) => {
      let first = true;
      const settle = (error?: Error) => {
        if (!first) return;
        first = false;
        if (error) reject(error);
        else resolve();
      };
      void this.connectLoop(settle);
    });
  }

  private async connectLoop(settle: (error?: Error) => void): Promise<void> {
    if (this.stopped) return;
    const file = readNodeFile(this.nodeFilePath);
    const client = new GatewayClient({
      url: this.options.url,
      auth: { ...this.options.auth, ...(file.deviceToken ? { deviceToken: file.deviceToken } : {}) },
      client: {
        id: "node-host",
        mode: "node",
        displayName: this.options.displayName ?? file.displayName ?? hostname(),
        version: VERSION,
        platform: process.platform,
      },
      role: "node",
      scopes: [],
      caps: this.options.caps ?? ["system"],
      commands: this.commandNames,
      device: this.identity!,
      // no zod: the gateway built every frame from its schemas; invokeRequest checks what we read
      validation: "fields",
      // the `ws` package by default: Node's global WebSocket pulls in undici (~5 MB more resident)
      WebSocket: this.options.WebSocket ?? (await defaultWebSocket()),
      reconnect: this.options.reconnect ?? { minDelayMs: 1000, maxDelayMs: 30_000 },
      requestTimeoutMs: 30_000,
      onDeviceToken: (token) => {
        const current = readNodeFile(this.nodeFilePath);
        if (current.deviceToken === token) return;
        writeNodeFile(this.nodeFilePath, { ...current, deviceToken: token });
      },
      onDisconnected: (info) => {
        this.log(
          `node: disconnected from the gateway (${info.code}${info.reason ? ` ${info.reason}` : ""})${info.willReconnect ? "; reconnecting" : ""}`,
        );
        if (!info.willReconnect && !this.stopped) this.retryLater(settle);
      },
    });
    this.client = client;
    client.on("node.invoke.request", (payload) => {
      const request = invokeRequest(payload);
      if (request) void this.handleInvoke(client, request);
      else this.log("node: ignored a malformed node.invoke.request (needs id and command)");
    });
    client.onConnected(async () => {
      this.attempts = 0;
      await this.requestPairing(client);
    });
    client.connect().then(
      () => {
        this.log(`node: connected to ${this.options.url} as ${this.nodeId}`);
        settle();
      },
      (error: Error) => {
        if (this.stopped) return;
        const details = OpenClawError.isInstance(error)
          ? (error.details as { code?: string; requestId?: string } | undefined)
          : undefined;
        if (details?.code === "PAIRING_REQUIRED")
          this.log(
            `node: pairing required — approve it on the gateway: openclaw devices approve ${details.requestId}`,
          );
        else this.log(`node: connect failed: ${error.message}`);
        if (details?.code === "AUTH_DEVICE_TOKEN_MISMATCH") {
          // the gateway no longer knows our token: forget it, the shared secret pairs again
          const current = readNodeFile(this.nodeFilePath);
          delete current.deviceToken;
          writeNodeFile(this.nodeFilePath, current);
        }
        this.retryLater(settle);
      },
    );
  }

  private retryLater(settle: (error?: Error) => void): void {
    if (this.stopped) return;
    const client = this.client;
    this.client = undefined;
    void client?.close().catch(() => undefined);
    const settings = this.options.reconnect ?? {};
    const delay = Math.min((settings.minDelayMs ?? 1000) * 2 ** this.attempts, settings.maxDelayMs ?? 30_000);
    this.attempts += 1;
    this.retryTimer = setTimeout(() => void this.connectLoop(settle), delay);
  }

  private async requestPairing(client: GatewayClient): Promise<void> {
    try {
      const result = (await client.request("node.pair.request", {
        nodeId: this.nodeId!,
        displayName: this.options.displayName ?? readNodeFile(this.nodeFilePath).displayName ?? hostname(),
        platform: process.platform,
        version: VERSION,
        caps: this.options.caps ?? ["system"],
        commands: this.commandNames,
        silent: true,
      })) as { status: string; request?: { requestId?: string } };
      this.pairing = result.status === "paired" ? "paired" : "pending";
      if (result.status !== "paired")
        this.log(
          `node: waiting for approval — on the gateway: openclaw nodes approve ${result.request?.requestId ?? ""}`,
        );
    } catch (error) {
      this.log(`node: pairing request failed: ${(error as Error).message}`);
    }
  }

  private async handleInvoke(client: GatewayClient, request: InvokeRequest): Promise<void> {
    const handler = this.handlers.get(request.command);
    let answer: { ok: boolean; payload?: unknown; error?: { code: string; message: string } };
    if (!handler) {
      answer = {
        ok: false,
        error: { code: "UNKNOWN_COMMAND", message: `this node does not serve ${request.command}` },
      };
    } else {
      try {
        const params = request.paramsJSON ? JSON.parse(request.paramsJSON) : {};
        const payload = await handler(params, {
          nodeId: this.nodeId!,
          requestId: request.id,
          signal: this.abort.signal,
          log: (line) => this.log(line),
        });
        answer = { ok: true, payload: payload ?? null };
      } catch (error) {
        answer = {
          ok: false,
          error: {
            code: error instanceof NodeCommandError ? error.code : "COMMAND_FAILED",
            message: (error as Error)?.message ?? String(error),
          },
        };
      }
    }
    try {
      await client.request("node.invoke.result", { id: request.id, nodeId: this.nodeId!, ...answer });
    } catch (error) {
      this.log(`node: could not send the result of ${request.command}: ${(error as Error).message}`);
    }
  }

  /** Disconnect for good. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abort.abort();
    await this.client?.close().catch(() => undefined);
  }
}
