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

/** The state area's auth-profile store of one agent (structural: `new AuthProfileStore(state, agentId)`). */
export type AgentAuthStoreFactory = (agentId: string) => AuthProfileStoreLike;

/**
 * Each agent's stored auth profiles (`agents/<agentId>/agent/auth-profiles.json`), falling back to
 * the main agent's when the agent has none for a provider. Usage records are written in the
 * background; `settled()` waits for those written so far (the assistant's `close()`).
 */
export function createPerAgentAuth(
  storeFor: AgentAuthStoreFactory,
  now: () => number = Date.now,
): ((agentId: string) => AuthProfileSource) & { settled(): Promise<void> } {
  const sources = new Map<string, AuthProfileSource>();
  const writes = new Set<Promise<void>>();
  const tracked = (store: AuthProfileStoreLike): AuthProfileStoreLike => ({
    list: (provider) => store.list(provider),
    recordUsage: async (id, outcome, at) => {
      const write = (store.recordUsage?.(id, outcome, at) ?? Promise.resolve()).catch(() => {});
      writes.add(write);
      await write.finally(() => writes.delete(write));
    },
  });
  const sourceFor = (agentId: string): AuthProfileSource => {
    let source = sources.get(agentId);
    if (source) return source;
    const own = authSourceFromStore(tracked(storeFor(agentId)), now);
    const main = agentId === "main" ? undefined : authSourceFromStore(tracked(storeFor("main")), now);
    source = {
      async list(provider) {
        const mine = await own.list(provider);
        return mine.length || !main ? mine : main.list(provider);
      },
      record: (id, outcome) => {
        own.record?.(id, outcome);
        main?.record?.(id, outcome);
      },
    };
    sources.set(agentId, source);
    return source;
  };
  return Object.assign(sourceFor, {
    async settled() {
      while (writes.size) await Promise.allSettled([...writes]);
    },
  });
}
