import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { getPath } from "./config-path.js";
import { addressBucket, type BindMode, isLoopbackAddress, resolveBindHost } from "./net.js";
import type { JsonObject } from "./types.js";

export type GatewayAuthMode = "token" | "password" | "none";

/** The shared-secret auth in force right now (config + env + CLI overrides). */
export interface ResolvedAuth {
  mode: GatewayAuthMode;
  token?: string;
  password?: string;
}

export interface AuthOverrides {
  mode?: GatewayAuthMode;
  token?: string;
  password?: string;
}

function secret(value: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof value === "string" && value.length) return value;
  if (typeof value === "object" && value !== null) {
    const ref = value as { source?: string; id?: string };
    if (ref.source === "env" && ref.id) return env[ref.id] || undefined;
  }
  return undefined;
}

/**
 * Resolve auth from, in order: CLI overrides, `OPENCLAW_GATEWAY_TOKEN`/`_PASSWORD`, config.
 * Mode defaults to `password` when only a password exists, else `token`.
 */
export function resolveAuth(
  config: JsonObject,
  overrides: AuthOverrides = {},
  env = process.env,
): ResolvedAuth {
  const token =
    overrides.token ?? (env.OPENCLAW_GATEWAY_TOKEN || secret(getPath(config, "gateway.auth.token"), env));
  const password =
    overrides.password ??
    (env.OPENCLAW_GATEWAY_PASSWORD || secret(getPath(config, "gateway.auth.password"), env));
  const configured = getPath(config, "gateway.auth.mode");
  let mode: GatewayAuthMode =
    overrides.mode ??
    (configured === "password" || configured === "none" || configured === "token"
      ? configured
      : overrides.password !== undefined || (password && !token)
        ? "password"
        : "token");
  if (!overrides.mode && overrides.token !== undefined) mode = "token";
  const out: ResolvedAuth = { mode };
  if (token) out.token = token;
  if (password) out.password = password;
  return out;
}

/**
 * Where the gateway listens: `overrides.bind` (the `--bind` flag), else `gateway.bind`, else
 * loopback; the custom host from `overrides` or `gateway.customBindHost`. Throws on a bad mode or host.
 */
export function resolveListenHost(
  config: JsonObject,
  overrides: { bind?: BindMode; customBindHost?: string } = {},
): { mode: BindMode; host: string } {
  const mode = overrides.bind ?? (getPath(config, "gateway.bind") as BindMode | undefined) ?? "loopback";
  const custom =
    overrides.customBindHost ?? (getPath(config, "gateway.customBindHost") as string | undefined);
  return { mode, host: resolveBindHost(mode, custom) };
}

/**
 * Does a start write a generated `gateway.auth.token`? Token auth with no secret on a loopback
 * host; elsewhere the gateway refuses to start without a secret instead.
 */
export function needsGeneratedToken(auth: ResolvedAuth, host: string): boolean {
  return auth.mode === "token" && !auth.token && isLoopbackAddress(host);
}

/** A new random gateway token (48 hex characters). */
export function generateGatewayToken(): string {
  return randomBytes(24).toString("hex");
}

/** Constant-time string comparison (hashes first so lengths never leak). */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** A short fingerprint of a secret, to notice rotation without keeping the secret around. */
export function fingerprint(value: string): string {
  return createHash("sha256").update(value).digest("base64url").slice(0, 16);
}

export interface RateLimitConfig {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
  exemptLoopback: boolean;
}

export function resolveRateLimit(config: JsonObject): RateLimitConfig {
  const raw = (getPath(config, "gateway.auth.rateLimit") ?? {}) as Partial<RateLimitConfig>;
  return {
    maxAttempts: typeof raw.maxAttempts === "number" ? raw.maxAttempts : 10,
    windowMs: typeof raw.windowMs === "number" ? raw.windowMs : 60_000,
    lockoutMs: typeof raw.lockoutMs === "number" ? raw.lockoutMs : 300_000,
    exemptLoopback: raw.exemptLoopback === true,
  };
}

/** What a failed attempt guessed: the shared secret, or a device token (separate budgets). */
export type RateLimitScope = "shared" | "device";

/**
 * Failed-auth limiter keyed by client address bucket ({@link addressBucket}): all of loopback
 * is one bucket and an IPv6 /64 is one bucket, so rotating source addresses inside a range one
 * attacker holds buys no extra guesses. Shared-secret and device-token failures count apart:
 * a lockout of shared-secret guesses never stops a paired device's own (valid) token.
 */
export class AuthRateLimiter {
  private readonly failures = new Map<string, { times: number[]; lockedUntil: number }>();

  constructor(private readonly settings: () => RateLimitConfig) {}

  private key(address: string, scope: RateLimitScope): string {
    return `${scope}:${addressBucket(address)}`;
  }

  /** Milliseconds until the address may try again; 0 when it may try now. */
  retryAfter(address: string, now = Date.now(), scope: RateLimitScope = "shared"): number {
    const entry = this.failures.get(this.key(address, scope));
    if (!entry) return 0;
    return entry.lockedUntil > now ? entry.lockedUntil - now : 0;
  }

  recordFailure(address: string, now = Date.now(), scope: RateLimitScope = "shared"): void {
    const settings = this.settings();
    if (settings.exemptLoopback && isLoopbackAddress(address)) return;
    const key = this.key(address, scope);
    const entry = this.failures.get(key) ?? { times: [], lockedUntil: 0 };
    entry.times = entry.times.filter((time) => now - time < settings.windowMs);
    entry.times.push(now);
    if (entry.times.length >= settings.maxAttempts) {
      entry.lockedUntil = now + settings.lockoutMs;
      entry.times = [];
    }
    this.failures.set(key, entry);
    if (this.failures.size > 10_000) {
      for (const [k, v] of this.failures) if (v.lockedUntil < now && !v.times.length) this.failures.delete(k);
    }
  }

  recordSuccess(address: string, scope: RateLimitScope = "shared"): void {
    const key = this.key(address, scope);
    const entry = this.failures.get(key);
    if (entry && entry.lockedUntil <= Date.now()) this.failures.delete(key);
  }
}
