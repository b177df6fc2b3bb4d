/**
 * `hooks.mappings` (OpenClaw's form): `POST <hooks.path>/<name>` with a JSON body is matched
 * against the mappings in order (first match wins, then `presets`); the match renders a wake
 * text or an agent message from the payload with `{{…}}` templates.
 */

export type HookAction =
  | { kind: "wake"; text: string; mode: "now" | "next-heartbeat" }
  | {
      kind: "agent";
      message: string;
      name: string;
      agentId?: string;
      sessionKey?: string;
      model?: string;
      thinking?: string;
      timeoutSeconds?: number;
      deliver: boolean;
      channel: string;
      to?: string;
    };

export interface HookMapping {
  id?: string;
  match?: { path?: string; source?: string };
  action?: "agent" | "wake";
  wakeMode?: "now" | "next-heartbeat";
  name?: string;
  agentId?: string;
  sessionKey?: string;
  messageTemplate?: string;
  textTemplate?: string;
  deliver?: boolean;
  channel?: string;
  to?: string;
  model?: string;
  thinking?: string;
  timeoutSeconds?: number;
}

export interface HookRequest {
  /** The path after `hooks.path`, without leading/trailing slashes. */
  path: string;
  payload: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, string>;
  now?: number;
}

/** A mapping matched but cannot produce an action (empty message, templated key not allowed). */
export class HookMappingError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "HookMappingError";
  }
}

function lookup(root: unknown, expression: string): unknown {
  let value: unknown = root;
  for (const part of expression
    .split(/\.|\[(\d+)\]/)
    .filter((piece) => piece !== undefined && piece !== "")) {
    if (value === null || typeof value !== "object") return undefined;
    if (part === "__proto__" || part === "constructor" || part === "prototype") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** `{{payload.a}}`, `{{a}}`, `{{items[0].b}}`, `{{headers.x-event}}`, `{{query.k}}`, `{{path}}`, `{{now}}`. */
export function renderTemplate(template: string, request: HookRequest): string {
  return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_match, expression: string) => {
    let value: unknown;
    if (expression === "now") value = new Date(request.now ?? Date.now()).toISOString();
    else if (expression === "path") value = request.path;
    else if (expression.startsWith("headers.")) value = request.headers[expression.slice(8).toLowerCase()];
    else if (expression.startsWith("query.")) value = request.query?.[expression.slice(6)];
    else if (expression.startsWith("payload.")) value = lookup(request.payload, expression.slice(8));
    else value = lookup(request.payload, expression);
    if (value === undefined || value === null) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  });
}

/** The replay key: `Idempotency-Key`, `X-OpenClaw-Idempotency-Key`, then the payload's `idempotencyKey`. */
export function hookIdempotencyKey(request: HookRequest): string | undefined {
  for (const candidate of [
    request.headers["idempotency-key"],
    request.headers["x-openclaw-idempotency-key"],
    request.payload.idempotencyKey,
  ]) {
    const value = Array.isArray(candidate) ? candidate[0] : candidate;
    if (typeof value === "string" && value.trim() && value.trim().length <= 256) return value.trim();
  }
  return undefined;
}

const PRESETS: Record<string, HookMapping> = {
  gmail: {
    id: "gmail",
    match: { path: "gmail" },
    action: "agent",
    name: "Gmail",
    messageTemplate:
      "New email from {{messages[0].from}}\nSubject: {{messages[0].subject}}\n{{messages[0].snippet}}",
  },
};

/** `hooks.mappings` then `hooks.presets`; the first mapping whose `match` passes. */
export function findMapping(hooks: Record<string, unknown>, request: HookRequest): HookMapping | undefined {
  const custom = Array.isArray(hooks.mappings) ? (hooks.mappings as HookMapping[]) : [];
  const presets = Array.isArray(hooks.presets)
    ? (hooks.presets as string[])
        .map((name) => PRESETS[name])
        .filter((preset): preset is HookMapping => !!preset)
    : [];
  for (const mapping of [...custom, ...presets]) {
    if (!mapping || typeof mapping !== "object") continue;
    const wantPath = mapping.match?.path?.replace(/^\/+|\/+$/g, "");
    if (wantPath !== undefined && wantPath !== request.path) continue;
    if (mapping.match?.source !== undefined && request.payload.source !== mapping.match.source) continue;
    return mapping;
  }
  return undefined;
}

/** The action a request gets (undefined: no mapping at that path → 404). */
export function resolveHookAction(
  hooks: Record<string, unknown>,
  request: HookRequest,
): HookAction | undefined {
  const mapping = findMapping(hooks, request);
  if (!mapping) return undefined;
  if ((mapping.action ?? "agent") === "wake") {
    const text = renderTemplate(mapping.textTemplate ?? "", request).trim();
    if (!text)
      throw new HookMappingError(`hook mapping ${mapping.id ?? request.path} rendered an empty text`);
    return { kind: "wake", text, mode: mapping.wakeMode === "next-heartbeat" ? "next-heartbeat" : "now" };
  }
  const message = renderTemplate(mapping.messageTemplate ?? "", request).trim();
  if (!message)
    throw new HookMappingError(`hook mapping ${mapping.id ?? request.path} rendered an empty message`);
  let sessionKey: string | undefined;
  if (mapping.sessionKey) {
    const templated = /\{\{/.test(mapping.sessionKey);
    if (templated && hooks.allowRequestSessionKey !== true)
      throw new HookMappingError(
        "a templated mapping sessionKey needs hooks.allowRequestSessionKey: true (keys derived from the payload)",
      );
    sessionKey = renderTemplate(mapping.sessionKey, request).trim();
    if (!sessionKey) throw new HookMappingError("the mapping's sessionKey rendered empty");
  }
  const text = (template: string | undefined) =>
    template ? renderTemplate(template, request).trim() || undefined : undefined;
  const to = text(mapping.to);
  const model = text(mapping.model);
  const thinking = text(mapping.thinking);
  return {
    kind: "agent",
    message,
    name: text(mapping.name) ?? "Hook",
    deliver: mapping.deliver !== false,
    channel: mapping.channel ?? "last",
    ...(mapping.agentId ? { agentId: mapping.agentId } : {}),
    ...(sessionKey ? { sessionKey } : {}),
    ...(to ? { to } : {}),
    ...(model ? { model } : {}),
    ...(thinking ? { thinking } : {}),
    ...(typeof mapping.timeoutSeconds === "number" ? { timeoutSeconds: mapping.timeoutSeconds } : {}),
  };
}

interface ReplayEntry {
  settled: boolean;
  expiresAt: number;
  result: Promise<unknown>;
}

/**
 * Retried webhooks run once: the same key (per path) within the process gets the first
 * request's answer. Entries expire 5 minutes after they settle; at most 1,000 are kept.
 */
export class HookReplayCache {
  private readonly entries = new Map<string, ReplayEntry>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly max = 1_000,
  ) {}

  run<T>(key: string, work: () => Promise<T>, now = Date.now()): { replayed: boolean; result: Promise<T> } {
    for (const [entryKey, entry] of this.entries)
      if (entry.settled && entry.expiresAt <= now) this.entries.delete(entryKey);
    const existing = this.entries.get(key);
    if (existing) return { replayed: true, result: existing.result as Promise<T> };
    const entry: ReplayEntry = {
      settled: false,
      expiresAt: Number.POSITIVE_INFINITY,
      result: Promise.resolve(),
    };
    entry.result = work().then(
      (value) => {
        entry.settled = true;
        entry.expiresAt = Date.now() + this.ttlMs;
        return value;
      },
      (error: unknown) => {
        this.entries.delete(key); // a failed attempt may be retried
        throw error;
      },
    );
    this.entries.set(key, entry);
    if (this.entries.size > this.max) {
      const oldest = [...this.entries].find(([, candidate]) => candidate.settled);
      if (oldest) this.entries.delete(oldest[0]);
    }
    return { replayed: false, result: entry.result as Promise<T> };
  }
}

const REPLAY = Symbol.for("openclaw.hooks.replay");
/** The process-wide replay cache (restart clears it, as in OpenClaw). */
export function hookReplayCache(): HookReplayCache {
  const holder = globalThis as unknown as Record<symbol, HookReplayCache | undefined>;
  if (!holder[REPLAY]) holder[REPLAY] = new HookReplayCache();
  return holder[REPLAY];
}
