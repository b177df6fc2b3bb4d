import type { GatewayAssistant, JsonObject, Logger } from "@openclaw/gateway";
import { GatewayMethodError } from "@openclaw/gateway";

/** Adapt core's `createAssistant` to the narrow interface the gateway serves. */
export async function createCoreAssistant(options: {
  config: Record<string, unknown>;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}): Promise<{
  assistant: GatewayAssistant;
  enqueuing: { enqueue(input: never): Promise<{ payloads: { text: string }[] }> };
  /** Hand a hot-reloaded config to the running assistant (agents, tools, messages, session…). */
  reloadConfig(config: Record<string, unknown>): void;
  close(): Promise<void>;
}> {
  const core = await import("@openclaw/core");
  const factories = await loadProviderFactories();
  const assistant = core.createAssistant({
    config: options.config as never,
    stateDir: options.stateDir,
    env: options.env,
    ...(factories ? { providerFactories: factories as never } : {}),
  });
  const bus = assistant.bus as unknown as {
    on(event: string, listener: (payload: JsonObject) => void): unknown;
    off(event: string, listener: (payload: JsonObject) => void): unknown;
  };
  const str = (value: unknown) => (typeof value === "string" && value ? value : undefined);
  // in-flight runs, so shutdown can drain them (bounded by the gateway)
  const inflight = new Set<Promise<unknown>>();
  const track = (result: Promise<unknown>) => {
    const settled = result.catch(() => undefined).finally(() => inflight.delete(settled));
    inflight.add(settled);
  };
  const adapter: GatewayAssistant = {
    events: {
      on: (event, listener) => bus.on(event, listener),
      off: (event, listener) => bus.off(event, listener),
    },
    async chatSend(params) {
      const handle = assistant.submit({
        sessionKey: params.sessionKey as string,
        text: params.message as string,
        idempotencyKey: params.idempotencyKey as string,
        ...(str(params.thinking) ? { thinking: params.thinking as string } : {}),
      });
      track(handle.result);
      return { runId: handle.messageId, status: handle.duplicate ? "in_flight" : "started" };
    },
    async chatHistory(params) {
      const messages = await assistant.history(
        params.sessionKey as string,
        typeof params.limit === "number" ? { limit: params.limit } : {},
      );
      // answer with the canonical key (`main` → `agent:main:main`), as the events carry it
      return {
        sessionKey: assistant.sessions.resolveKey(params.sessionKey as string),
        messages,
      } as JsonObject;
    },
    async chatAbort(params) {
      return { ok: true, ...assistant.abort(params.sessionKey as string, str(params.runId)) };
    },
    async chatInject(params) {
      const result = await assistant.inject(
        params.sessionKey as string,
        params.message as string,
        str(params.label) ? { label: params.label as string } : {},
      );
      return { ok: true, ...result };
    },
    async agent(params) {
      const handle = assistant.submit({
        text: params.message as string,
        idempotencyKey: params.idempotencyKey as string,
        ...(str(params.sessionKey) ? { sessionKey: params.sessionKey as string } : {}),
        ...(str(params.agentId) ? { agentId: params.agentId as string } : {}),
        ...(str(params.thinking) ? { thinking: params.thinking as string } : {}),
        ...(str(params.extraSystemPrompt) ? { extraSystemPrompt: params.extraSystemPrompt as string } : {}),
      });
      track(handle.result);
      return {
        runId: handle.messageId,
        status: "accepted",
        acceptedAt: Date.now(),
        sessionKey: handle.sessionKey,
      };
    },
    async agentWait(params) {
      const status = await assistant.waitForRun(
        params.runId as string,
        typeof params.timeoutMs === "number" ? params.timeoutMs : undefined,
      );
      return { runId: params.runId, ...status } as JsonObject;
    },
    async modelsList() {
      const models = await assistant.listModels();
      return {
        models: models.map((model) => ({
          id: model.model,
          name: model.alias ?? model.model,
          provider: model.provider,
          ...(model.contextWindow ? { contextWindow: model.contextWindow } : {}),
        })),
      };
    },
    async sessionsList(params) {
      const rows = await assistant.sessions.list({
        ...(typeof params.limit === "number" ? { limit: params.limit } : {}),
        ...(typeof params.activeMinutes === "number" ? { activeMinutes: params.activeMinutes } : {}),
        ...(str(params.agentId) ? { agentId: params.agentId as string } : {}),
      });
      return { ts: Date.now(), count: rows.length, sessions: rows } as JsonObject;
    },
    async sessionsPreview(params) {
      const keys = Array.isArray(params.keys) ? (params.keys as string[]) : [];
      const previews = await Promise.all(
        keys.map(async (key) => ({ key, items: await assistant.history(key, { limit: 3 }) })),
      );
      return { ts: Date.now(), previews } as JsonObject;
    },
    async sessionsPatch(params) {
      const { key, ...patch } = params;
      return {
        ok: true,
        key,
        entry: await assistant.sessions.patch(key as string, patch as never),
      } as JsonObject;
    },
    async sessionsReset(params) {
      return {
        ok: true,
        key: params.key,
        entry: await assistant.sessions.reset(params.key as string),
      } as JsonObject;
    },
    async sessionsDelete(params) {
      return { ok: true, key: params.key, deleted: await assistant.sessions.delete(params.key as string) };
    },
    /**
     * `wake` / `POST /hooks/wake` in the default agent's main session: `now` runs a turn with the
     * event text at once; `next-heartbeat` queues it as a system event that the session's next
     * turn receives (the next message — or heartbeat, once heartbeats run).
     */
    async wake(params) {
      const mode = params.mode === "next-heartbeat" ? "next-heartbeat" : "now";
      const text = typeof params.text === "string" ? params.text.trim() : "";
      if (!text)
        throw new GatewayMethodError({ code: "INVALID_REQUEST", message: "wake needs a non-empty text" });
      if (mode === "next-heartbeat") {
        const queued = assistant.queueSystemEvent(undefined, text);
        return { ok: true, mode, queued: queued.queued, sessionKey: queued.sessionKey };
      }
      const handle = assistant.submit({
        text: `System event: ${text}`,
        sender: { id: "system", name: "wake", channel: "system", authorized: true },
      });
      track(handle.result);
      return { ok: true, mode, runId: handle.messageId, sessionKey: handle.sessionKey };
    },
    async drain() {
      await Promise.all([...inflight]);
    },
    async sessionsCompact(params) {
      return { ok: true, key: params.key, ...(await assistant.sessions.compact(params.key as string)) };
    },
  };
  return {
    assistant: adapter,
    enqueuing: assistant as never,
    reloadConfig: (next) => assistant.reloadConfig(next as never),
    close: () => assistant.close(),
  };
}

type FromConfig = (
  id: string,
  config: unknown,
  env: Record<string, string | undefined>,
  overrides?: { baseURL?: string; apiKey?: string; headers?: Record<string, string>; fetch?: typeof fetch },
) => unknown;

/**
 * The provider packages' `fromConfig` as core's factories, by wire API. Each package is imported
 * before the assistant starts, but only for the APIs this config can use.
 */
async function loadProviderFactories(): Promise<Record<string, unknown> | undefined> {
  const packages: [string[], () => Promise<{ fromConfig: FromConfig }>][] = [
    [["openai-completions", "openai-responses"], () => import("@openclaw/providers-openai") as never],
    [["anthropic-messages"], () => import("@openclaw/providers-anthropic") as never],
    [["google-generative-ai"], () => import("@openclaw/providers-gemini") as never],
    [["ollama"], () => import("@openclaw/providers-ollama") as never],
  ];
  const factories: Record<string, unknown> = {};
  await Promise.all(
    packages.map(async ([apis, load]) => {
      try {
        const { fromConfig } = await load();
        const factory = (options: {
          id: string;
          config: unknown;
          env: Record<string, string | undefined>;
          baseURL?: string;
          apiKey?: string;
          headers?: Record<string, string>;
          fetch?: typeof fetch;
        }) =>
          fromConfig(options.id, options.config, options.env, {
            ...(options.baseURL ? { baseURL: options.baseURL } : {}),
            ...(options.apiKey ? { apiKey: options.apiKey } : {}),
            ...(options.headers ? { headers: options.headers } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          });
        for (const api of apis) factories[api] = factory;
      } catch {
        // a provider package that does not load is skipped; chats name the missing provider
      }
    }),
  );
  return Object.keys(factories).length ? factories : undefined;
}
