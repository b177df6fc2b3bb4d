import path from "node:path";

/** `memorySearch` as this runtime reads it (defaults filled in), for one agent. */
export interface MemorySettings {
  enabled: boolean;
  /** `openai`, `gemini`, `ollama`, `local`, a configured provider id, or `auto` (the FAQ's selection). */
  provider: string;
  model?: string;
  /** Provider tried when the first one cannot be set up; `none` (default) keeps keyword search. */
  fallback: string;
  remote: { baseUrl?: string; apiKey?: string; headers?: Record<string, string>; concurrency: number };
  extraPaths: string[];
  sources: Array<"memory" | "sessions">;
  chunking: { tokens: number; overlap: number };
  query: {
    maxResults: number;
    minScore: number;
    hybrid: { enabled: boolean; vectorWeight: number; textWeight: number; candidateMultiplier: number };
  };
  store: { path: string; vector: { enabled: boolean; extensionPath?: string } };
  cache: { enabled: boolean; maxEntries: number };
  sync: {
    watch: boolean;
    watchDebounceMs: number;
    onSearch: boolean;
    onSessionStart: boolean;
    /** A changed transcript is indexed again once it grew by `deltaBytes` or `deltaMessages` messages. */
    sessions: { deltaBytes: number; deltaMessages: number };
  };
  local: { modelPath?: string };
  batchSize: number;
}

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function merge(base: Loose, over: Loose): Loose {
  const out: Loose = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isObject(value) && isObject(base[key]) ? merge(base[key] as Loose, value) : value;
  }
  return out;
}

const num = (value: unknown, fallback: number, min = 0): number =>
  typeof value === "number" && Number.isFinite(value) && value >= min ? value : fallback;
const str = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() ? value.trim() : undefined;
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];

/** A `${VAR}` / `env:VAR` secret input, or a literal. */
export function resolveSecret(value: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof value === "string") {
    const braced = /^\$\{([A-Z0-9_]+)\}$/i.exec(value.trim());
    const prefixed = /^env:([A-Z0-9_]+)$/i.exec(value.trim());
    const name = braced?.[1] ?? prefixed?.[1];
    if (name) return env[name] || undefined;
    return value || undefined;
  }
  if (isObject(value) && value.source === "env" && typeof value.id === "string")
    return env[value.id] || undefined;
  return undefined;
}

/** `agents.defaults.memorySearch` merged with `agents.list[<id>].memorySearch`, defaults applied. */
export function resolveMemorySettings(
  config: Loose,
  agentId: string,
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
): MemorySettings {
  const agents = isObject(config.agents) ? config.agents : {};
  const defaults =
    isObject(agents.defaults) && isObject(agents.defaults.memorySearch)
      ? (agents.defaults.memorySearch as Loose)
      : {};
  const list = Array.isArray(agents.list) ? (agents.list as Loose[]) : [];
  const own = list.find((entry) => isObject(entry) && entry.id === agentId)?.memorySearch;
  const raw = isObject(own) ? merge(defaults, own) : defaults;
  const remote = isObject(raw.remote) ? raw.remote : {};
  const chunking = isObject(raw.chunking) ? raw.chunking : {};
  const query = isObject(raw.query) ? raw.query : {};
  const hybrid = isObject(query.hybrid) ? query.hybrid : {};
  const store = isObject(raw.store) ? raw.store : {};
  const vector = isObject(store.vector) ? store.vector : {};
  const cache = isObject(raw.cache) ? raw.cache : {};
  const sync = isObject(raw.sync) ? raw.sync : {};
  const sessionsSync = isObject(sync.sessions) ? sync.sessions : {};
  const local = isObject(raw.local) ? raw.local : {};
  const batch = isObject(remote.batch) ? remote.batch : {};
  const storePath = str(store.path)?.replaceAll("{agentId}", agentId);
  const sources = strings(raw.sources).filter(
    (source): source is "memory" | "sessions" => source === "memory" || source === "sessions",
  );
  const headers: Record<string, string> = {};
  if (isObject(remote.headers))
    for (const [name, value] of Object.entries(remote.headers)) {
      const resolved = resolveSecret(value, env);
      if (resolved) headers[name] = resolved;
    }
  const tokens = Math.round(num(chunking.tokens, 400, 32));
  return {
    enabled: raw.enabled !== false,
    provider: str(raw.provider) ?? "auto",
    model: str(raw.model),
    fallback: str(raw.fallback) ?? "none",
    remote: {
      baseUrl: str(remote.baseUrl),
      apiKey: resolveSecret(remote.apiKey, env),
      headers: Object.keys(headers).length ? headers : undefined,
      concurrency: Math.max(1, Math.round(num(batch.concurrency, 2, 1))),
    },
    extraPaths: strings(raw.extraPaths),
    sources: sources.length ? sources : ["memory"],
    chunking: { tokens, overlap: Math.min(Math.round(num(chunking.overlap, 80)), tokens - 1) },
    query: {
      maxResults: Math.round(num(query.maxResults, 6, 1)),
      minScore: num(query.minScore, 0),
      hybrid: {
        enabled: hybrid.enabled !== false,
        vectorWeight: num(hybrid.vectorWeight, 0.7),
        textWeight: num(hybrid.textWeight, 0.3),
        candidateMultiplier: Math.round(num(hybrid.candidateMultiplier, 4, 1)),
      },
    },
    store: {
      path: storePath
        ? path.resolve(storePath.replace(/^~(?=$|\/)/, env.HOME ?? ""))
        : path.join(stateDir, "memory", `${agentId}.sqlite`),
      vector: { enabled: vector.enabled !== false, extensionPath: str(vector.extensionPath) },
    },
    cache: { enabled: cache.enabled !== false, maxEntries: Math.round(num(cache.maxEntries, 50_000, 1)) },
    sync: {
      watch: sync.watch !== false,
      watchDebounceMs: num(sync.watchDebounceMs, 1500),
      onSearch: sync.onSearch !== false,
      onSessionStart: sync.onSessionStart !== false,
      sessions: {
        deltaBytes: Math.round(num(sessionsSync.deltaBytes, 100_000)),
        deltaMessages: Math.round(num(sessionsSync.deltaMessages, 50)),
      },
    },
    local: { modelPath: str(local.modelPath) },
    batchSize: Math.round(num(batch.size, 64, 1)),
  };
}
