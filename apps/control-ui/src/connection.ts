// The Control UI's one link to the gateway: @openclaw/client in the browser with a device identity.
// The gateway is always the page's own origin (never a URL from the query string or fragment:
// CVE-2026-25253); the token is read once (typed in, or from `#token=` that `openclaw dashboard`
// puts in the fragment, which never reaches a server) and kept in this origin's localStorage.
import { backoffDelay, GatewayClient, GatewayTransportError } from "@openclaw/client";
import type { HelloOk } from "@openclaw/protocol";
import {
  exportDeviceIdentity,
  generateDeviceIdentity,
  importDeviceIdentity,
  type StoredDeviceIdentity,
} from "@openclaw/protocol/base";

export type LinkState =
  | { kind: "connecting"; attempt: number }
  | { kind: "connected" }
  | { kind: "down"; message: string; retryAt: number; delayMs: number; attempt: number }
  | { kind: "need-token"; message?: string }
  | { kind: "pairing"; message: string; requestId?: string }
  | { kind: "insecure"; message: string }
  | { kind: "refused"; message: string; code?: string };

const KEY = {
  token: "openclaw.control.token",
  /** "password" when the stored secret is the gateway password (gateway.auth.mode: password). */
  secretKind: "openclaw.control.secretKind",
  device: "openclaw.control.device",
  deviceToken: "openclaw.control.deviceToken",
} as const;

const SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
];

/** The gateway's WebSocket address: this page's own host, nothing else. */
export function gatewayUrl(location: Location = window.location): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
}

/** Take `token=` out of the fragment (kept for this origin only) and drop it from the address bar. */
export function takeFragmentToken(storage: Storage = localStorage): void {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const query = hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : hash;
  const params = new URLSearchParams(query);
  const token = params.get("token");
  if (!token) return;
  storage.setItem(KEY.token, token.trim());
  storage.setItem(KEY.secretKind, "token");
  history.replaceState(null, "", `${window.location.pathname}${window.location.search}#/chat`);
}

/** Why this page cannot hold a device key, or undefined when it can. */
export function insecureReason(): string | undefined {
  if (window.isSecureContext && globalThis.crypto?.subtle) return undefined;
  return (
    `This page was opened over plain HTTP from another host (${window.location.host}), so the browser ` +
    "hides WebCrypto and the UI cannot create the device identity the gateway requires " +
    '("device identity required"). Open it over HTTPS (Tailscale Serve), through an SSH tunnel ' +
    "(ssh -N -L 18789:127.0.0.1:18789 user@host, then http://127.0.0.1:18789/), or on the gateway's own machine."
  );
}

interface ErrorLike {
  message: string;
  code?: string;
  detailCode?: string;
  details?: { requestId?: string; remediationHint?: string };
  isRetryable?: boolean;
}

type Listener = () => void;

export class Connection {
  state: LinkState = { kind: "connecting", attempt: 0 };
  hello: HelloOk | undefined;
  private client: GatewayClient | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly subscriptions = new Map<string, Set<(payload: unknown) => void>>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;

  constructor(private readonly storage: Storage = localStorage) {}

  get token(): string {
    return this.storage.getItem(KEY.token) ?? "";
  }

  /** Methods the gateway answers (hello-ok's features.methods). */
  has(method: string): boolean {
    return this.hello?.features.methods.includes(method) ?? false;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Gateway events (chat, agent, device.pair.requested, …); kept across reconnects. */
  on(event: string, handler: (payload: unknown) => void): () => void {
    let set = this.subscriptions.get(event);
    if (!set) {
      set = new Set();
      this.subscriptions.set(event, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  async request<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T> {
    if (!this.client) throw new Error("not connected to the gateway");
    return (await this.client.request(method, params, timeoutMs ? { timeoutMs } : {})) as T;
  }

  setToken(token: string, kind: "token" | "password" = "token"): void {
    this.storage.setItem(KEY.token, token.trim());
    this.storage.setItem(KEY.secretKind, kind);
    this.storage.removeItem(KEY.deviceToken);
    void this.start();
  }

  forget(): void {
    for (const key of Object.values(KEY)) this.storage.removeItem(key);
    void this.stop();
    this.set({ kind: "need-token" });
  }

  /** Connect; a gateway that is down is retried with backoff (1 s → 30 s), a refusal is shown. */
  async start(): Promise<void> {
    await this.stop();
    const insecure = insecureReason();
    if (insecure) return this.set({ kind: "insecure", message: insecure });
    if (!this.token && !this.storage.getItem(KEY.deviceToken)) return this.set({ kind: "need-token" });
    this.set({ kind: "connecting", attempt: this.attempt });
    const client = await this.createClient();
    this.client = client;
    try {
      this.hello = await client.connect();
      this.attempt = 0;
      this.set({ kind: "connected" });
    } catch (error) {
      if (this.client !== client) return;
      this.client = undefined;
      await client.close().catch(() => undefined);
      this.failed(error as ErrorLike);
    }
  }

  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  private async createClient(): Promise<GatewayClient> {
    const deviceToken = this.storage.getItem(KEY.deviceToken) ?? undefined;
    const client = new GatewayClient({
      url: gatewayUrl(),
      auth: !this.token
        ? { deviceToken }
        : this.storage.getItem(KEY.secretKind) === "password"
          ? { password: this.token }
          : { token: this.token },
      client: {
        id: "openclaw-control-ui",
        mode: "webchat",
        displayName: "Control UI",
        platform: "web",
        deviceFamily: "browser",
      },
      scopes: SCOPES,
      device: await this.deviceIdentity(),
      onDeviceToken: (token) => this.storage.setItem(KEY.deviceToken, token),
      onConnected: (hello) => {
        this.hello = hello;
        if (this.state.kind !== "connected") this.set({ kind: "connected" });
      },
      onDisconnected: (info) => {
        if (this.client !== client) return;
        if (info.willReconnect)
          this.set({
            kind: "down",
            message: `lost the connection to the gateway (${info.reason || `code ${info.code}`}); reconnecting…`,
            retryAt: Date.now() + 1000,
            delayMs: 1000,
            attempt: 1,
          });
        else if (info.error) this.failed(info.error as ErrorLike);
      },
    });
    client.on("*", (payload, frame) => {
      for (const handler of this.subscriptions.get(frame.event) ?? []) handler(payload);
    });
    return client;
  }

  private async deviceIdentity() {
    const saved = this.storage.getItem(KEY.device);
    if (saved) {
      try {
        return await importDeviceIdentity(JSON.parse(saved) as StoredDeviceIdentity);
      } catch {
        this.storage.removeItem(KEY.device);
      }
    }
    const identity = await generateDeviceIdentity();
    this.storage.setItem(KEY.device, JSON.stringify(await exportDeviceIdentity(identity)));
    return identity;
  }

  private failed(error: ErrorLike): void {
    const detail = error.detailCode;
    if (error instanceof GatewayTransportError || (error.isRetryable && !detail)) {
      const delay = backoffDelay(this.attempt);
      this.attempt += 1;
      this.set({
        kind: "down",
        message: `cannot reach the gateway at ${window.location.host}: ${error.message}`,
        retryAt: Date.now() + delay,
        delayMs: Math.round(delay),
        attempt: this.attempt,
      });
      this.retryTimer = setTimeout(() => void this.start(), delay);
      return;
    }
    if (detail === "PAIRING_REQUIRED") {
      this.set({
        kind: "pairing",
        message: error.message,
        ...(error.details?.requestId ? { requestId: error.details.requestId } : {}),
      });
      return;
    }
    if (detail?.startsWith("AUTH_") || /unauthorized/.test(error.message)) {
      if (detail === "AUTH_DEVICE_TOKEN_MISMATCH") this.storage.removeItem(KEY.deviceToken);
      this.set({ kind: "need-token", message: error.message });
      return;
    }
    this.set({ kind: "refused", message: error.message, ...(detail ? { code: detail } : {}) });
  }

  private set(state: LinkState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
