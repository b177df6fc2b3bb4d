import { type LanguageModelV1, ProviderError, type ProviderErrorKind } from "@openclaw/protocol/model";
import { formatModelRef, type ModelRef } from "./model-ref.js";
import { missingProviderFix, type ProviderRegistry, ProviderUnavailableError } from "./provider-registry.js";

/** A credential for one provider, from auth-profiles.json, env, or config. */
export interface AuthCredential {
  id: string;
  provider: string;
  key: string;
}

/** Where stored auth profiles come from (the state helper's auth-profile store fits this). */
export interface AuthProfileSource {
  list(provider: string): Promise<AuthCredential[]> | AuthCredential[];
  /** Persist usage stats (`usageStats.<id>` in auth-profiles.json). */
  record?(id: string, outcome: { ok: true } | { ok: false; cooldownUntil?: number }): void;
}

const COOLDOWN_STEPS_MS = [60_000, 5 * 60_000, 25 * 60_000, 60 * 60_000];
const BILLING_BASE_MS = 5 * 60 * 60_000;
const BILLING_CAP_MS = 24 * 60 * 60_000;
const FAILURE_WINDOW_MS = 24 * 60 * 60_000;

export interface ProfileUsage {
  lastUsed?: number;
  lastFailureAt?: number;
  errorCount: number;
  cooldownUntil?: number;
  disabledUntil?: number;
  disabledReason?: "billing";
  billingCount?: number;
}

/** Per-profile failure bookkeeping: backoff 1 min → 5 → 25 → 1 h; billing 5 h doubling to 24 h. */
export class ProfileCooldowns {
  readonly usage = new Map<string, ProfileUsage>();
  constructor(private readonly now: () => number = Date.now) {}

  private entry(id: string): ProfileUsage {
    let usage = this.usage.get(id);
    if (!usage) {
      usage = { errorCount: 0 };
      this.usage.set(id, usage);
    }
    if (usage.lastFailureAt !== undefined && this.now() - usage.lastFailureAt > FAILURE_WINDOW_MS) {
      usage.errorCount = 0;
      usage.billingCount = 0;
    }
    return usage;
  }

  /** ms until the profile may be used again (0 = available). */
  blockedFor(id: string): number {
    const usage = this.usage.get(id);
    if (!usage) return 0;
    const until = Math.max(usage.cooldownUntil ?? 0, usage.disabledUntil ?? 0);
    return Math.max(0, until - this.now());
  }

  markUsed(id: string): void {
    this.entry(id).lastUsed = this.now();
  }

  markSuccess(id: string): void {
    const usage = this.entry(id);
    usage.errorCount = 0;
    usage.cooldownUntil = undefined;
  }

  markFailure(id: string, kind: ProviderErrorKind, retryAfterMs?: number): ProfileUsage {
    const usage = this.entry(id);
    const now = this.now();
    usage.lastFailureAt = now;
    if (kind === "billing") {
      usage.billingCount = (usage.billingCount ?? 0) + 1;
      usage.disabledUntil = now + Math.min(BILLING_CAP_MS, BILLING_BASE_MS * 2 ** (usage.billingCount - 1));
      usage.disabledReason = "billing";
      return usage;
    }
    const step = COOLDOWN_STEPS_MS[Math.min(usage.errorCount, COOLDOWN_STEPS_MS.length - 1)] ?? 60_000;
    usage.errorCount += 1;
    usage.cooldownUntil = now + Math.max(step, retryAfterMs ?? 0);
    return usage;
  }
}

/** Error kinds that move on to the next profile / model. */
export const FAILOVER_KINDS: ReadonlySet<ProviderErrorKind> = new Set([
  "auth",
  "rate_limit",
  "timeout",
  "server",
  "network",
  "billing",
]);

export interface FailoverAttempt {
  model: string;
  profileId?: string;
  kind: ProviderErrorKind | "unavailable" | "cooldown";
  message: string;
  status?: number;
}

/** Every candidate model failed. `message` is what the user reads. */
export class AllModelsFailedError extends Error {
  readonly code = "ALL_MODELS_FAILED" as const;
  readonly attempts: FailoverAttempt[];
  readonly kind: ProviderErrorKind | "unavailable";
  constructor(attempts: FailoverAttempt[]) {
    super(describeFailures(attempts));
    this.name = "AllModelsFailedError";
    this.attempts = attempts;
    const last = [...attempts].reverse().find((attempt) => attempt.kind !== "cooldown");
    this.kind = (last?.kind as ProviderErrorKind | "unavailable" | undefined) ?? "unavailable";
  }
}

function advice(kind: FailoverAttempt["kind"], model: string): string {
  const provider = model.split("/")[0] ?? model;
  switch (kind) {
    case "auth":
      return `check the API key (\`openclaw models auth paste-token --provider ${provider}\`)`;
    case "billing":
      return `check the ${provider} account's billing/credits`;
    case "rate_limit":
    case "cooldown":
      return "wait a minute and retry, or add a fallback model (`openclaw models fallbacks add <provider/model>`)";
    case "timeout":
    case "network":
      return `check that ${provider} is reachable from this machine`;
    case "server":
      return `${provider} is having problems; retry later or add a fallback`;
    case "unavailable":
      return missingProviderFix(provider);
    default:
      return "see the gateway log for details";
  }
}

export function describeFailures(attempts: FailoverAttempt[]): string {
  if (attempts.length === 0)
    return "No model is configured. Set one with `openclaw models set <provider/model>`.";
  const lines = attempts.map(
    (attempt) =>
      `- ${attempt.model}${attempt.profileId ? ` (${attempt.profileId})` : ""}: ${attempt.message}${attempt.status ? ` [HTTP ${attempt.status}]` : ""}`,
  );
  const last = attempts[attempts.length - 1]!;
  const todo = advice(last.kind, last.model);
  if (attempts.length === 1)
    return `Cannot answer with ${last.model}: ${last.message}${last.status ? ` [HTTP ${last.status}]` : ""}\nWhat to do: ${todo}${todo.endsWith(".") ? "" : "."}`;
  return `All models failed:\n${lines.join("\n")}\nWhat to do: ${todo}${todo.endsWith(".") ? "" : "."}`;
}

export interface FailoverCandidate {
  ref: ModelRef;
  model: LanguageModelV1;
  apiKey?: string;
  profileId?: string;
}

/**
 * Try each model (primary, then fallbacks) and, within a model, each usable credential.
 * `attempt` runs one streamed call; throwing a ProviderError whose kind is in FAILOVER_KINDS
 * moves on, any other error (refusal, invalid request, context length, abort) is rethrown.
 */
export async function runWithFailover<T>(options: {
  refs: ModelRef[];
  registry: ProviderRegistry;
  auth?: AuthProfileSource;
  cooldowns: ProfileCooldowns;
  /** `auth.order.<provider>` */
  order?: Record<string, string[]>;
  /** Session-pinned profile id (kept first for prompt-cache friendliness). */
  pinnedProfileId?: string;
  signal?: AbortSignal;
  attempt(candidate: FailoverCandidate): Promise<T>;
  onFailover?(attempt: FailoverAttempt): void;
}): Promise<{ result: T; candidate: FailoverCandidate; attempts: FailoverAttempt[] }> {
  const attempts: FailoverAttempt[] = [];
  const seen = new Set<string>();
  for (const ref of options.refs) {
    const name = formatModelRef(ref);
    if (seen.has(name)) continue;
    seen.add(name);
    let resolved: ReturnType<ProviderRegistry["resolve"]>;
    try {
      resolved = options.registry.resolve(ref.provider);
    } catch (error) {
      if (!(error instanceof ProviderUnavailableError)) throw error;
      const failure: FailoverAttempt = { model: name, kind: "unavailable", message: error.message };
      attempts.push(failure);
      options.onFailover?.(failure);
      continue;
    }
    const stored = options.auth ? await options.auth.list(ref.provider) : [];
    let credentials: { id?: string; key?: string }[] = [...stored, ...resolved.staticKeys];
    const order = options.order?.[ref.provider];
    if (order?.length)
      credentials.sort((a, b) => {
        const ia = order.indexOf(a.id ?? "");
        const ib = order.indexOf(b.id ?? "");
        return (ia === -1 ? 1e9 : ia) - (ib === -1 ? 1e9 : ib);
      });
    if (options.pinnedProfileId) {
      const pinned = credentials.findIndex((credential) => credential.id === options.pinnedProfileId);
      if (pinned > 0) credentials.unshift(...credentials.splice(pinned, 1));
    }
    if (credentials.length === 0) {
      if (resolved.keyRequired) {
        const failure: FailoverAttempt = {
          model: name,
          kind: "unavailable",
          message: `No API key for provider "${ref.provider}".`,
        };
        attempts.push(failure);
        options.onFailover?.(failure);
        continue;
      }
      credentials = [{}];
    }
    const available = credentials.filter(
      (credential) => !credential.id || options.cooldowns.blockedFor(credential.id) === 0,
    );
    if (available.length === 0) {
      const soonest = Math.min(
        ...credentials.map((credential) => options.cooldowns.blockedFor(credential.id!)),
      );
      const failure: FailoverAttempt = {
        model: name,
        kind: "cooldown",
        message: `every auth profile of ${ref.provider} is cooling down (next in ${Math.ceil(soonest / 1000)} s)`,
      };
      attempts.push(failure);
      options.onFailover?.(failure);
      continue;
    }
    const model = resolved.provider.languageModel(ref.model);
    for (const credential of available) {
      if (options.signal?.aborted)
        throw new ProviderError("aborted", "The run was aborted", { provider: ref.provider });
      const candidate: FailoverCandidate = { ref, model, apiKey: credential.key, profileId: credential.id };
      if (credential.id) options.cooldowns.markUsed(credential.id);
      try {
        const result = await options.attempt(candidate);
        if (credential.id) {
          options.cooldowns.markSuccess(credential.id);
          options.auth?.record?.(credential.id, { ok: true });
        }
        return { result, candidate, attempts };
      } catch (error) {
        if (!ProviderError.isInstance(error) || !FAILOVER_KINDS.has(error.kind)) throw error;
        if (credential.id) {
          const usage = options.cooldowns.markFailure(credential.id, error.kind, error.retryAfterMs);
          options.auth?.record?.(credential.id, {
            ok: false,
            cooldownUntil: usage.disabledUntil ?? usage.cooldownUntil,
          });
        }
        const failure: FailoverAttempt = {
          model: name,
          profileId: credential.id,
          kind: error.kind,
          message: error.providerMessage ?? error.message,
          status: error.status,
        };
        attempts.push(failure);
        options.onFailover?.(failure);
      }
    }
  }
  throw new AllModelsFailedError(attempts);
}
