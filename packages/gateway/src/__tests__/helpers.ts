import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createConfigStore } from "@openclaw/core/config";
import WebSocket from "ws";
import {
  createGateway,
  createMemoryAssistant,
  type Gateway,
  type GatewayAddress,
  type GatewayOptions,
} from "../index.js";

export const TOKEN = "test-token-0123456789abcdef";

/**
 * Core's config store (the one the app runs on) over `path`, with an environment confined to the
 * file's directory (no real home, no real `.env`). Watching starts when the gateway subscribes.
 */
export function testConfigStore(path: string, options: { debounceMs?: number } = {}) {
  const dir = dirname(path);
  return createConfigStore({
    path,
    env: { HOME: dir, OPENCLAW_STATE_DIR: dir },
    cwd: dir,
    applyEnv: false,
    debounceMs: options.debounceMs ?? 20,
  });
}

export interface Started {
  gateway: Gateway;
  address: GatewayAddress;
  stateDir: string;
  configPath: string;
  logFile: string;
  assistant: ReturnType<typeof createMemoryAssistant>;
  stop(): Promise<void>;
}

/** Start a real gateway on 127.0.0.1:0 with a temp state dir and a config file. */
export async function startGateway(
  config: Record<string, unknown> = { gateway: { auth: { mode: "token", token: TOKEN } } },
  extra: Partial<GatewayOptions> = {},
): Promise<Started> {
  const stateDir = await mkdtemp(join(tmpdir(), "openclaw-gw-"));
  const configPath = join(stateDir, "openclaw.json");
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const store = testConfigStore(configPath);
  const logFile = join(stateDir, "logs", "gateway.log");
  const assistant = createMemoryAssistant({ reply: (message) => `echo: ${message}`, chunks: 2 });
  const gateway = createGateway({
    config: store,
    stateDir,
    port: 0,
    assistant,
    logFile,
    version: "test",
    ...extra,
  });
  const address = await gateway.listen();
  return {
    gateway,
    address,
    stateDir,
    configPath,
    logFile,
    assistant,
    async stop() {
      await gateway.close();
      store.close?.();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export interface Frame {
  type: string;
  id?: string;
  ok?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: test frames are inspected loosely
  payload?: any;
  // biome-ignore lint/suspicious/noExplicitAny: test frames are inspected loosely
  error?: { code: string; message: string; details?: any; retryAfterMs?: number };
  event?: string;
  seq?: number;
}

/** A raw WebSocket peer that queues every frame it receives. */
export class RawPeer {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  private waiters: { match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  private nextId = 1;

  constructor(url: string, headers: Record<string, string> = {}, options: { localAddress?: string } = {}) {
    this.ws = new WebSocket(url, { headers, ...options });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
      this.ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.closed = new Promise((resolve) =>
      this.ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.ws.on("error", () => undefined);
    this.ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      const waiter = this.waiters.find((entry) => entry.match(frame));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      } else this.frames.push(frame);
    });
  }

  next(match: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const index = this.frames.findIndex(match);
    if (index >= 0) return Promise.resolve(this.frames.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for a frame")), timeoutMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  event(name: string, timeoutMs?: number): Promise<Frame> {
    return this.next((frame) => frame.type === "event" && frame.event === name, timeoutMs);
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  async request(method: string, params?: unknown): Promise<Frame> {
    const id = `r${this.nextId++}`;
    this.ws.send(JSON.stringify({ type: "req", id, method, ...(params === undefined ? {} : { params }) }));
    return this.next((frame) => frame.type === "res" && frame.id === id);
  }

  close(): void {
    this.ws.close();
  }
}

export function connectParams(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    minProtocol: 3,
    maxProtocol: 4,
    client: { id: "test", version: "1.0.0", platform: "linux", mode: "test" },
    role: "operator",
    auth: { token: TOKEN },
    ...overrides,
  };
}

/** Open a socket, take the challenge, send connect; resolves with the connect response. */
export async function handshake(
  url: string,
  overrides: Record<string, unknown> = {},
  sign?: (nonce: string) => Record<string, unknown>,
): Promise<{ peer: RawPeer; res: Frame; nonce: string }> {
  const peer = new RawPeer(url);
  await peer.opened;
  const challenge = await peer.event("connect.challenge");
  const nonce = challenge.payload.nonce as string;
  const params = connectParams({ ...overrides, ...(sign ? { device: sign(nonce) } : {}) });
  const res = await peer.request("connect", params);
  return { peer, res, nonce };
}

/** An Ed25519 device identity that signs v2/v3 connect payloads. */
export function createDevice() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const id = createHash("sha256").update(raw).digest("hex");
  const publicKeyB64 = Buffer.from(raw).toString("base64url");
  return {
    id,
    publicKey: publicKeyB64,
    proof(
      nonce: string,
      context: {
        clientId?: string;
        mode?: string;
        role?: string;
        scopes?: string[];
        token?: string;
        version?: "v2" | "v3";
        signedAt?: number;
      } = {},
    ) {
      const signedAt = context.signedAt ?? Date.now();
      const fields = [
        context.version ?? "v3",
        id,
        context.clientId ?? "test",
        context.mode ?? "test",
        context.role ?? "operator",
        (context.scopes ?? []).join(","),
        String(signedAt),
        context.token ?? "",
        nonce,
      ];
      if ((context.version ?? "v3") === "v3") fields.push("linux", "");
      const signature = sign(null, Buffer.from(fields.join("|")), privateKey).toString("base64url");
      return { id, publicKey: publicKeyB64, signature, signedAt, nonce };
    },
  };
}
