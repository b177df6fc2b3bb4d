import type {
  AgentEventStream,
  AssistantBus,
  ChatErrorKind,
  ChatMessagePayload,
  UsageSummary,
} from "../bus/event-bus.js";
import type { AssistantEvent } from "./events.js";
import type { LoadedTranscript } from "./session-handle.js";
import { toolResultMessage } from "./tool-execution.js";
import type { AssistantMessage } from "./transcript.js";

/** Minimum spacing of `chat` delta events of one run (the first delta goes out at once). */
export const CHAT_DELTA_INTERVAL_MS = 100;

/** A fact of one turn, reported once: the emitter turns it into `agent` + `chat` events and the caller's event. */
export type TurnFact =
  | { type: "start" }
  | { type: "run-start"; model?: string }
  | { type: "text-delta"; delta: string; text: string }
  | { type: "reasoning-delta"; delta: string }
  | { type: "tool-start"; toolCallId: string; name: string; args: Record<string, unknown> }
  | { type: "tool-result"; toolCallId: string; name: string; result: string; isError: boolean }
  | { type: "failover"; model: string; kind: string; message: string }
  | { type: "compaction-start"; reason: string }
  | {
      type: "compaction-end";
      result: { compacted: boolean; tokensBefore: number; tokensAfter: number; reason?: string };
    }
  | {
      type: "final";
      text: string;
      silent: boolean;
      model?: string;
      /** The turn's summed usage (the caller's event). */
      usage: UsageSummary;
      /** The last model call's usage (the chat event), when there was one. */
      lastUsage?: UsageSummary;
      stopReason: string;
    }
  | { type: "aborted"; text: string }
  | { type: "error"; code: string; kind: ChatErrorKind; message: string };

/** A fact that is also a transcript entry: written to the transcript first, then reported. */
export type RecordedFact =
  | { type: "user-message"; text: string }
  | { type: "assistant-message"; message: AssistantMessage }
  | {
      type: "tool-result";
      toolCallId: string;
      name: string;
      result: string;
      isError: boolean;
      details?: unknown;
      /** Written, not reported (the memory flush, a call skipped after an abort). */
      quiet?: boolean;
    }
  /** With the partial answer, when the model had started writing. */
  | { type: "aborted"; text: string; partial?: AssistantMessage }
  /** With the transcript's error entry. */
  | { type: "error"; code: string; kind: ChatErrorKind; message: string; entry: AssistantMessage };

export interface TurnEmitterOptions {
  bus: AssistantBus;
  runId: string;
  sessionKey: string;
  spawnedBy?: string;
  /** Memory-flush turns: nothing reaches the bus or the caller. */
  silent?: boolean;
  /** The caller's event stream (`assistant.send()` / `submit().events`). */
  observe(event: AssistantEvent): void;
  now(): number;
}

/**
 * The run's `chat` events: per-run `seq`; deltas buffered (the first at once, then at most every
 * CHAT_DELTA_INTERVAL_MS, so a fast model does not send one WebSocket frame per token).
 */
function createChatStream(options: TurnEmitterOptions) {
  const { bus, runId, sessionKey, now } = options;
  let seq = 0;
  let pendingDelta = "";
  let pendingText = "";
  let lastDeltaAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const message = (text: string): ChatMessagePayload => ({
    role: "assistant",
    content: [{ type: "text", text }],
    timestamp: now(),
  });
  const sendNow = (payload: Record<string, unknown> & { state: string }) => {
    bus.emit("chat", {
      runId,
      sessionKey,
      seq: ++seq,
      ...(options.spawnedBy ? { spawnedBy: options.spawnedBy } : {}),
      ...payload,
    } as never);
  };
  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (!pendingDelta) return;
    const deltaText = pendingDelta;
    pendingDelta = "";
    lastDeltaAt = performance.now();
    sendNow({ state: "delta", deltaText, message: message(pendingText) });
  };
  return {
    message,
    flush,
    delta(delta: string, text: string) {
      pendingDelta += delta;
      pendingText = text;
      if (performance.now() - lastDeltaAt >= CHAT_DELTA_INTERVAL_MS) flush();
      else timer ??= setTimeout(flush, CHAT_DELTA_INTERVAL_MS);
    },
    /** A terminal or state event: buffered deltas go first. */
    send(payload: Record<string, unknown> & { state: string }) {
      flush();
      sendNow(payload);
    },
  };
}

/**
 * The one place a turn reports what happens: each fact becomes the `agent` event (per-run `seq`),
 * the `chat` event and the caller's event; a fact that is also a transcript entry (`record`) is
 * written to the transcript first.
 */
export function createTurnEmitter(options: TurnEmitterOptions) {
  const { bus, runId, sessionKey, now, observe } = options;
  const startedAt = now();
  let agentSeq = 0;
  const chat = createChatStream(options);
  const agent = (stream: AgentEventStream, data: Record<string, unknown>) => {
    bus.emit("agent", { runId, seq: ++agentSeq, stream, ts: now(), sessionKey, data });
  };

  /** Facts while the turn runs. */
  function reportProgress(fact: Exclude<TurnFact, { type: "final" | "aborted" | "error" }>): void {
    switch (fact.type) {
      case "start":
        agent("lifecycle", { phase: "start", startedAt });
        break;
      case "run-start":
        observe({ type: "run-start", runId, sessionKey, model: fact.model });
        break;
      case "text-delta":
        agent("assistant", { text: fact.text, delta: fact.delta });
        chat.delta(fact.delta, fact.text);
        observe({ type: "text-delta", runId, delta: fact.delta, text: fact.text });
        break;
      case "reasoning-delta":
        agent("reasoning", { delta: fact.delta });
        observe({ type: "reasoning-delta", runId, delta: fact.delta });
        break;
      case "tool-start":
        chat.flush();
        agent("tool", { phase: "start", name: fact.name, toolCallId: fact.toolCallId, args: fact.args });
        observe({ ...fact, runId });
        break;
      case "tool-result": {
        const { toolCallId, name, result, isError } = fact;
        agent("tool", { phase: "result", name, toolCallId, result, isError });
        observe({ ...fact, runId });
        break;
      }
      case "failover":
        agent("error", { kind: "failover", model: fact.model, reason: fact.kind, message: fact.message });
        observe({ type: "failover", runId, from: fact.model, reason: `${fact.kind}: ${fact.message}` });
        break;
      case "compaction-start":
        agent("compaction", { phase: "start", reason: fact.reason });
        observe({ type: "compaction", runId, phase: "start" });
        break;
      case "compaction-end": {
        const { tokensBefore, tokensAfter } = fact.result;
        agent("compaction", { phase: "end", ...fact.result });
        observe({ type: "compaction", runId, phase: "end", tokensBefore, tokensAfter });
        break;
      }
    }
  }

  /** The turn's end: exactly one of final, aborted, error. */
  function reportEnd(fact: Extract<TurnFact, { type: "final" | "aborted" | "error" }>): void {
    if (fact.type === "final") {
      const [provider, ...modelParts] = (fact.model ?? "").split("/");
      const modelFields = fact.model ? { provider, model: modelParts.join("/") } : {};
      chat.send({
        state: "final",
        ...(fact.text ? { message: { ...chat.message(fact.text), ...modelFields } } : {}),
        usage: fact.lastUsage ?? fact.usage,
        stopReason: fact.stopReason,
      });
      agent("lifecycle", { phase: "end", startedAt, endedAt: now(), model: fact.model });
      const { text, model, usage, silent } = fact;
      observe({ type: "final", runId, sessionKey, text, model, usage, silent });
    } else if (fact.type === "aborted") {
      chat.send({ state: "aborted", ...(fact.text ? { message: chat.message(fact.text) } : {}) });
      agent("lifecycle", { phase: "end", aborted: true, startedAt, endedAt: now() });
      observe({ type: "aborted", runId, sessionKey, text: fact.text });
    } else {
      const { code, kind, message } = fact;
      chat.send({ state: "error", errorMessage: message, errorKind: kind });
      agent("lifecycle", { phase: "error", error: message, code, startedAt, endedAt: now() });
      observe({ type: "error", runId, sessionKey, code, kind, message });
    }
  }

  const report = options.silent
    ? () => {}
    : (fact: TurnFact): void => {
        if (fact.type === "final" || fact.type === "aborted" || fact.type === "error") reportEnd(fact);
        else reportProgress(fact);
      };

  let transcript: LoadedTranscript | undefined;
  /** Transcript first (an abort's partial answer and an error entry best effort), then the report. */
  async function record(fact: RecordedFact): Promise<void> {
    switch (fact.type) {
      case "user-message":
        await transcript?.append({
          type: "message",
          message: { role: "user", content: [{ type: "text", text: fact.text }], timestamp: now() },
        });
        break;
      case "assistant-message":
        await transcript?.append({ type: "message", message: fact.message });
        break;
      case "tool-result": {
        const { toolCallId, name, result, isError, details } = fact;
        const message = toolResultMessage(toolCallId, name, result, isError, now(), details);
        await transcript?.append({ type: "message", message });
        if (!fact.quiet) report({ type: "tool-result", toolCallId, name, result, isError });
        break;
      }
      case "aborted":
        if (fact.partial)
          await transcript?.append({ type: "message", message: fact.partial }).catch(() => {});
        report({ type: "aborted", text: fact.text });
        break;
      case "error":
        await transcript?.append({ type: "message", message: fact.entry }).catch(() => {});
        report({ type: "error", code: fact.code, kind: fact.kind, message: fact.message });
        break;
    }
  }

  return {
    startedAt,
    report,
    record,
    /** The turn's transcript, once loaded: `record` writes to it. */
    attach(loaded: LoadedTranscript) {
      transcript = loaded;
    },
  };
}

export type TurnEmitter = ReturnType<typeof createTurnEmitter>;
