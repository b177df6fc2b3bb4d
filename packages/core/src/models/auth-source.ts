import type { AuthCredential, AuthProfileSource } from "./failover.js";

/** The shape of the state area's AuthProfileStore this adapter needs (structural, no import). */
export interface AuthProfileStoreLike {
  list(
    provider?: string,
  ): Promise<{ id: string; credential: { type: string; provider: string; [key: string]: unknown } }[]>;
  recordUsage?(
    id: string,
    outcome: { ok: true } | { ok: false; cooldownUntil?: number },
    now?: number,
  ): Promise<void>;
}

/**
 * Stored auth profiles (auth-profiles.json) as failover credentials: `api_key` → key,
 * `token` → token, `oauth` → access token. Expired tokens are skipped.
 */
export function authSourceFromStore(
  store: AuthProfileStoreLike,
  now: () => number = Date.now,
): AuthProfileSource {
  return {
    async list(provider) {
      const profiles = await store.list(provider).catch(() => []);
      const credentials: AuthCredential[] = [];
      for (const { id, credential } of profiles) {
        const expires = typeof credential.expires === "number" ? credential.expires : undefined;
        if (expires !== undefined && expires < now()) continue;
        const key =
          credential.type === "api_key"
            ? credential.key
            : credential.type === "token"
              ? credential.token
              : credential.type === "oauth"
                ? credential.access
                : undefined;
        if (typeof key === "string" && key) credentials.push({ id, provider, key });
      }
      return credentials;
    },
    record(id, outcome) {
      void store.recordUsage?.(id, outcome, now()).catch(() => {});
    },
  };
}
