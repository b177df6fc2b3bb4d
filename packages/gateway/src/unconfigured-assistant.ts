import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { toAgentSessionKey, withFinalResult } from "@openclaw/protocol/base";
import type { GatewayMethods } from "./methods/context.js";
import type { GatewayAssistant, JsonObject } from "./types.js";
import { GatewayMethodError } from "./types.js";

/** What a chat gets when no model provider is configured. */
export const MISSING_PROVIDER_REPLY =
  "No model provider is configured, so I can't answer yet. Add one, for example:\n" +
  "  openclaw models auth paste-token --provider anthropic   (or set ANTHROPIC_API_KEY / OPENAI_API_KEY)\n" +
  "then `openclaw config set agents.defaults.model anthropic/claude-sonnet-4-5` and send your message again.";

interface Run {
  runId: string;
  sessionKey: string;
  startedAt: number;
  endedAt?: number;
  status: "running" | "ok" | "error" | "aborted";
  /** The reply once the run ended ok; the error message when it failed. */
  text?: string;
  done: Promise<void>;
}

/** The text parts of a transcript message, joined. */
function textOf(content: unknown): string {
  if (!Array.isArray(content)) return typeof content === "string" ? content : "";
  return content
    .map((part: unknown) =>
      typeof part === "object" && part !== null && "text" in part && typeof part.text === "string"
        ? part.text
        : "",
    )
    .join("");
}

/** A session of the in-memory store: what `sessions.list` rows and `sessions.patch` entries hold. */
interface SessionRow {
  key: string;
  sessionId: string;
  createdAt: number;
  updatedAt: number;
  [field: string]: unknown;
}

export interface MemoryAssistantOptions {
  /** Produce the assistant's reply; default: the missing-provider explanation. */
  reply?: (message: string, sessionKey: string) => string | Promise<string>;
  /** Split the reply into this many delta events (default 1). */
  chunks?: number;
}

/** The in-memory sessions, transcripts and runs of a {@link createMemoryAssistant}. */
interface MemoryState {
  emitter: EventEmitter;
  transcripts: Map<string, JsonObject[]>;
  sessions: Map<string, SessionRow>;
  runs: Map<string, Run>;
  reply: (message: string, sessionKey: string) => string | Promise<string>;
  chunks: number | undefined;
}

/** Request key (`main`, `webchat:abc`, `agent:main:main`) → the store key every event carries. */
const keyOf = (sessionKey: string | undefined, agentId?: string): string =>
  toAgentSessionKey(sessionKey, agentId);

function touch(state: MemoryState, key: string): SessionRow {
  const entry = state.sessions.get(key) ?? {
    key,
    sessionId: randomUUID(),
    createdAt: Date.now(),
    updatedAt: 0,
  };
  entry.updatedAt = Date.now();
  state.sessions.set(key, entry);
  return entry;
}

function requireSession(state: MemoryState, key: string): SessionRow {
  const entry = state.sessions.get(key);
  if (!entry)
    throw new GatewayMethodError({
      code: "INVALID_REQUEST",
      message: `unknown session: ${key}`,
      details: { code: "INVALID_PARAMS" },
    });
  return entry;
}

/** Record the user's message and play the reply as `agent` / `chat` events, like core's runs. */
function startRun(state: MemoryState, sessionKey: string, message: string): Run {
  touch(state, sessionKey);
  const runId = randomUUID();
  const transcript = state.transcripts.get(sessionKey) ?? [];
  state.transcripts.set(sessionKey, transcript);
  transcript.push({ role: "user", content: [{ type: "text", text: message }], timestamp: Date.now() });
  let seq = 0;
  const run: Run = { runId, sessionKey, startedAt: Date.now(), status: "running", done: Promise.resolve() };
  run.done = (async () => {
    await new Promise((resolve) => setImmediate(resolve));
    state.emitter.emit("agent", {
      runId,
      seq: ++seq,
      stream: "lifecycle",
      ts: Date.now(),
      sessionKey,
      data: { phase: "start" },
    });
    const text = await state.reply(message, sessionKey);
    const parts = Math.max(1, state.chunks ?? 1);
    const size = Math.ceil(text.length / parts) || 1;
    for (let index = 0; index < text.length; index += size) {
      if (run.status === "aborted") break;
      const deltaText = text.slice(index, index + size);
      state.emitter.emit("agent", {
        runId,
        seq: ++seq,
        stream: "assistant",
        ts: Date.now(),
        sessionKey,
        data: { delta: deltaText },
      });
      state.emitter.emit("chat", { runId, sessionKey, seq, state: "delta", deltaText });
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (run.status === "aborted") {
      state.emitter.emit("chat", { runId, sessionKey, seq: ++seq, state: "aborted" });
      return;
    }
    const finalMessage = { role: "assistant", content: [{ type: "text", text }], timestamp: Date.now() };
    transcript.push(finalMessage);
    run.text = text;
    run.status = "ok";
    run.endedAt = Date.now();
    state.emitter.emit("agent", {
      runId,
      seq: ++seq,
      stream: "lifecycle",
      ts: Date.now(),
      sessionKey,
      data: { phase: "end" },
    });
    state.emitter.emit("chat", {
      runId,
      sessionKey,
      seq,
      state: "final",
      message: finalMessage,
      stopReason: "stop",
    });
  })().catch((error: unknown) => {
    run.text = String(error);
    run.status = "error";
    run.endedAt = Date.now();
    state.emitter.emit("chat", {
      runId,
      sessionKey,
      seq: ++seq,
      state: "error",
      errorMessage: String(error),
      errorKind: "unknown",
    });
  });
  state.runs.set(runId, run);
  return run;
}

/** The final `agent` answer of a run that ended, in the shape of core's (`status`, `text`, `result.payloads`). */
function finalAnswer(run: Run) {
  const status = run.status === "ok" ? "ok" : run.status === "aborted" ? "aborted" : "error";
  const text = run.text ?? "";
  return {
    runId: run.runId,
    sessionKey: run.sessionKey,
    status,
    summary: status === "ok" ? "completed" : status,
    ...(status === "error" ? { error: text } : {}),
    text: status === "error" ? "" : text,
    result: {
      payloads: status === "ok" && text ? [{ text, mediaUrl: null }] : [],
      meta: { durationMs: (run.endedAt ?? Date.now()) - run.startedAt, aborted: status === "aborted" },
    },
  };
}

/** chat.*, agent, agent.wait, models.list and wake on the in-memory state. */
function chatMethods(state: MemoryState) {
  return {
    "chat.send": async (params) => {
      const run = startRun(state, keyOf(params.sessionKey), params.message);
      return { runId: run.runId, status: "started" };
    },
    "chat.history": async (params) => {
      const key = keyOf(params.sessionKey);
      const messages = (state.transcripts.get(key) ?? []).slice(-(params.limit ?? 200));
      return { sessionKey: key, sessionId: state.sessions.get(key)?.sessionId, messages };
    },
    "chat.abort": async (params) => {
      const aborted: string[] = [];
      for (const run of state.runs.values()) {
        if (
          run.sessionKey === keyOf(params.sessionKey) &&
          run.status === "running" &&
          (!params.runId || params.runId === run.runId)
        ) {
          run.status = "aborted";
          run.endedAt = Date.now();
          aborted.push(run.runId);
        }
      }
      return { ok: true, aborted: aborted.length > 0, runIds: aborted };
    },
    "chat.inject": async (params) => {
      const key = keyOf(params.sessionKey);
      touch(state, key);
      const transcript = state.transcripts.get(key) ?? [];
      state.transcripts.set(key, transcript);
      const messageId = randomUUID();
      transcript.push({
        role: "assistant",
        content: [{ type: "text", text: params.message }],
        timestamp: Date.now(),
        id: messageId,
        injected: true,
      });
      return { ok: true, messageId };
    },
    agent: async (params) => {
      const sessionKey = keyOf(params.sessionKey, params.agentId);
      const run = startRun(state, sessionKey, params.message);
      // two answers, like core's `agent`: the ack now, the final answer with the reply when the run ends
      return withFinalResult(
        { runId: run.runId, status: "accepted" as const, acceptedAt: run.startedAt, sessionKey },
        run.done.then(() => finalAnswer(run)),
      );
    },
    "agent.wait": async (params) => {
      const run = state.runs.get(params.runId);
      if (!run)
        throw new GatewayMethodError({
          code: "INVALID_REQUEST",
          message: `unknown run: ${params.runId}`,
          details: { code: "INVALID_PARAMS" },
        });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        run.done.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), params.timeoutMs ?? 30_000);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) return { runId: run.runId, status: "timeout", startedAt: run.startedAt };
      return {
        runId: run.runId,
        status: run.status === "ok" ? "ok" : "error",
        startedAt: run.startedAt,
        endedAt: run.endedAt,
      };
    },
    "models.list": async () => ({ models: [] }),
    wake: async (params) => ({ ok: true, mode: params.mode }),
  } satisfies GatewayMethods;
}

/** sessions.* on the in-memory state. */
function sessionsMethods(state: MemoryState) {
  return {
    "sessions.list": async (params) => {
      const rows = [...state.sessions.values()]
        .sort((a, b) => b.updatedAt - a.updatedAt)
        .slice(0, params.limit ?? 100);
      return {
        ts: Date.now(),
        path: "",
        count: rows.length,
        totalCount: state.sessions.size,
        sessions: rows,
      };
    },
    "sessions.preview": async (params) => ({
      ts: Date.now(),
      previews: params.keys.map((request) => {
        const key = keyOf(request);
        const items = (state.transcripts.get(key) ?? []).slice(-3).map((message) => ({
          ...message,
          role: String(message.role),
          text: textOf(message.content),
        }));
        return { key, status: items.length ? "ok" : "empty", items };
      }),
    }),
    "sessions.patch": async (params) => {
      const { key: requested, ...patch } = params;
      const key = keyOf(requested);
      const entry = requireSession(state, key);
      for (const [field, value] of Object.entries(patch)) {
        if (value === null) delete entry[field];
        else entry[field] = value;
      }
      entry.updatedAt = Date.now();
      return { ok: true, key, entry };
    },
    "sessions.reset": async (params) => {
      const key = keyOf(params.key);
      const entry = requireSession(state, key);
      entry.sessionId = randomUUID();
      state.transcripts.set(key, []);
      return { ok: true, key, sessionId: entry.sessionId, entry };
    },
    "sessions.delete": async (params) => {
      const key = keyOf(params.key);
      requireSession(state, key);
      state.sessions.delete(key);
      state.transcripts.delete(key);
      return { ok: true, key, deleted: true };
    },
    "sessions.compact": async (params) => {
      const key = keyOf(params.key);
      requireSession(state, key);
      const transcript = state.transcripts.get(key) ?? [];
      const kept = transcript.slice(-4);
      state.transcripts.set(key, kept);
      return { ok: true, key, compacted: transcript.length > kept.length, kept: kept.length };
    },
  } satisfies GatewayMethods;
}

/**
 * A self-contained assistant with in-memory sessions. The assembly uses it when no model
 * provider is configured (every chat gets a reply naming the missing provider and the command
 * that fixes it); tests use it with their own `reply`. It emits `chat`/`agent` events the way
 * core's assistant does.
 */
export function createMemoryAssistant(options: MemoryAssistantOptions = {}): GatewayAssistant & {
  methods: GatewayMethods;
  emitter: EventEmitter;
} {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const state: MemoryState = {
    emitter,
    transcripts: new Map(),
    sessions: new Map(),
    runs: new Map(),
    reply: options.reply ?? (() => MISSING_PROVIDER_REPLY),
    chunks: options.chunks,
  };
  return {
    emitter,
    methods: { ...chatMethods(state), ...sessionsMethods(state) },
    events: {
      on: (event, listener) => emitter.on(event, listener),
      off: (event, listener) => emitter.off(event, listener),
    },
    async drain() {
      await Promise.all([...state.runs.values()].map((run) => run.done));
    },
  };
}

/** The assistant used when no model provider is configured. */
export function createUnconfiguredAssistant(): GatewayAssistant {
  return createMemoryAssistant();
}
