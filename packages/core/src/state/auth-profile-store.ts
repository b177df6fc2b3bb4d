import { readJsonState, updateJsonState } from "./json-file.js";
import type { StateStore } from "./state-store.js";

/** A stored credential (`agents/<id>/agent/auth-profiles.json`, 0600). Secrets live only here. */
export type AuthProfileCredential =
  | { type: "api_key"; provider: string; key: string; email?: string; [key: string]: unknown }
  | {
      type: "token";
      provider: string;
      token: string;
      expires?: number;
      email?: string;
      [key: string]: unknown;
    }
  | {
      type: "oauth";
      provider: string;
      access: string;
      refresh?: string;
      expires?: number;
      email?: string;
      [key: string]: unknown;
    };

export interface AuthProfileUsage {
  lastUsed?: number;
  errorCount?: number;
  lastFailureAt?: number;
  cooldownUntil?: number;
  [key: string]: unknown;
}

export interface AuthProfilesFile {
  version: number;
  profiles: Record<string, AuthProfileCredential>;
  order?: Record<string, string[]>;
  lastGood?: Record<string, string>;
  usageStats?: Record<string, AuthProfileUsage>;
  [key: string]: unknown;
}

const empty = (): AuthProfilesFile => ({ version: 1, profiles: {} });

/** Typed access to one agent's auth profiles. Unknown fields in the file are preserved. */
export class AuthProfileStore {
  readonly path: string;
  constructor(
    private readonly state: StateStore,
    readonly agentId: string,
  ) {
    this.path = `agents/${agentId}/agent/auth-profiles.json`;
  }

  async read(): Promise<AuthProfilesFile> {
    const file = await readJsonState<AuthProfilesFile>(this.state, this.path, empty());
    return { ...file, profiles: file.profiles ?? {} };
  }

  /** Profiles, optionally for one provider, in `order` when set. */
  async list(provider?: string): Promise<{ id: string; credential: AuthProfileCredential }[]> {
    const file = await this.read();
    const entries = Object.entries(file.profiles).filter(
      ([, credential]) => !provider || credential.provider === provider,
    );
    const order = provider ? file.order?.[provider] : undefined;
    if (order) entries.sort(([a], [b]) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9));
    return entries.map(([id, credential]) => ({ id, credential }));
  }

  async upsert(id: string, credential: AuthProfileCredential): Promise<void> {
    await updateJsonState(this.state, this.path, empty, (file) => {
      file.profiles = { ...(file.profiles ?? {}), [id]: credential };
      return { value: file, result: undefined };
    });
  }

  async remove(id: string): Promise<boolean> {
    return updateJsonState(this.state, this.path, empty, (file) => {
      const existed = Boolean(file.profiles?.[id]);
      if (existed) delete file.profiles[id];
      if (file.usageStats) delete file.usageStats[id];
      return { value: file, result: existed, changed: existed };
    });
  }

  /** Record a success (clears errors) or a failure (with an optional cooldown). */
  async recordUsage(
    id: string,
    outcome: { ok: true } | { ok: false; cooldownUntil?: number },
    now = Date.now(),
  ): Promise<void> {
    await updateJsonState(this.state, this.path, empty, (file) => {
      if (!file.usageStats) file.usageStats = {};
      const stats = file.usageStats;
      const current = stats[id] ?? {};
      stats[id] = outcome.ok
        ? { ...current, lastUsed: now, errorCount: 0, cooldownUntil: undefined }
        : {
            ...current,
            lastFailureAt: now,
            errorCount: (current.errorCount ?? 0) + 1,
            cooldownUntil: outcome.cooldownUntil,
          };
      if (outcome.ok) {
        const provider = file.profiles?.[id]?.provider;
        if (provider) file.lastGood = { ...(file.lastGood ?? {}), [provider]: id };
      }
      return { value: file, result: undefined };
    });
  }
}
