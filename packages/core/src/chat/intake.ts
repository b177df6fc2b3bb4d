import { randomUUID } from "node:crypto";
import { AsyncChannel } from "../agent/async-channel.js";
import {
  type CommandHost,
  matchResetTrigger,
  parseCommand,
  runCommand,
  type SenderInfo,
} from "../agent/commands.js";
import type { AssistantEvent, ReplyResult } from "../agent/events.js";
import { parseAgentSessionKey } from "../agent/session-key.js";
import { normalizeQueueMode, type PendingMessage } from "../agent/session-queue.js";
import type { RunStatus, SendInput, SubmitHandle } from "../assistant.js";
import type { AssistantContext } from "../assistant-context.js";
import { publishCommandReply } from "./command-reply.js";

/** What a bare `/new` asks the model, so the fresh session opens with a short greeting. */
export const NEW_SESSION_GREETING =
  "A new session was just started with /new. Greet the user in one or two short sentences and ask what they would like to do.";

type Settle = (reply: Omit<ReplyResult, "messageId" | "sessionKey">) => void;

/** The terminal event for a result that did not come from a run's own events. */
function terminalEvent(
  reply: ReplyResult,
  messageId: string,
  sessionKey: string,
): AssistantEvent | undefined {
  if (reply.status === "error")
    return {
      type: "error",
      runId: reply.runId ?? messageId,
      sessionKey,
      code: reply.error?.code ?? "ERROR",
      kind: reply.error?.kind ?? "unknown",
      message: reply.text,
    };
  if (reply.status === "aborted")
    return { type: "aborted", runId: reply.runId ?? messageId, sessionKey, text: reply.text };
  if (reply.status === "command") return { type: "final", runId: messageId, sessionKey, text: reply.text };
  return undefined;
}

/**
 * What the idempotency map keeps of a message: its ids and result, not its event channel (a
 * channel nobody reads holds every event of the run — each streamed delta — for as long as the
 * key is remembered; a duplicate gets the terminal event, from the result).
 */
type RememberedHandle = Pick<SubmitHandle, "messageId" | "sessionKey" | "result">;

/** The events of an earlier handle, replayed for a duplicate submit (same idempotency key). */
function replayedEvents(handle: RememberedHandle): AsyncIterable<AssistantEvent> {
  return {
    async *[Symbol.asyncIterator]() {
      const result = await handle.result;
      const runId = result.runId ?? handle.messageId;
      yield terminalEvent(result, handle.messageId, handle.sessionKey) ?? {
        type: "final",
        runId,
        sessionKey: handle.sessionKey,
        text: result.text,
        model: result.model,
        usage: result.usage,
      };
    },
  };
}

/** The runs of recent messages (the newest 10 000), for `agent.wait`. */
class RunRecords {
  private readonly runs = new Map<
    string,
    { startedAt: number; endedAt?: number; result: Promise<ReplyResult> }
  >();

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  add(handle: SubmitHandle, at: number): void {
    this.runs.set(handle.messageId, { startedAt: at, result: handle.result });
    if (this.runs.size > 10_000) this.runs.delete(this.runs.keys().next().value!);
  }

  ended(messageId: string, at: number): void {
    const run = this.runs.get(messageId);
    if (run) run.endedAt = at;
  }

  /** Wait for a message's run (`agent.wait`). */
  async wait(runId: string, now: () => number, timeoutMs = 30_000): Promise<RunStatus> {
    const run = this.runs.get(runId);
    if (!run) return { status: "error", error: `unknown run ${runId}` };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const result = await Promise.race([run.result, timeout]);
    clearTimeout(timer);
    if (result === "timeout") return { status: "timeout", startedAt: run.startedAt };
    return {
      status: result.status === "error" ? "error" : "ok",
      startedAt: run.startedAt,
      endedAt: run.endedAt ?? now(),
      ...(result.status === "error" ? { error: result.text } : {}),
    };
  }
}

/** What a chat command may do in its session. */
function commandHost(
  context: AssistantContext,
  sessionKey: string,
  agentId: string,
  sender?: SenderInfo,
): CommandHost {
  return {
    config: context.config,
    agentId,
    sessionKey,
    sender,
    entry: () => context.store.get(agentId, sessionKey),
    patch: (patch) => context.sessions.patch(sessionKey, patch),
    reset: () => context.sessions.reset(sessionKey),
    stop: () => {
      const stopped = context.queueFor(sessionKey, agentId).stop();
      return { ...stopped, subagents: context.stopSubagents(sessionKey) };
    },
    compact: (instructions) => context.sessions.compact(sessionKey, instructions),
    queueMode: () => context.queueModeFor(sessionKey),
    currentModel: async () => context.currentModel(sessionKey, await context.store.get(agentId, sessionKey)),
    ...(context.deps.gateway ? { gateway: context.deps.gateway } : {}),
  };
}

/** A new handle: its event channel, result promise and queue message. */
function openHandle(context: AssistantContext, runs: RunRecords, input: SendInput, sessionKey: string) {
  // the caller's idempotency key is the run id, as in OpenClaw: clients match `chat`/`agent`
  // events and `agent.wait` by it
  const key = input.idempotencyKey?.trim();
  const messageId = key && key.length <= 200 && !runs.has(key) ? key : randomUUID();
  const channel = new AsyncChannel<AssistantEvent>();
  let terminal = false;
  const observer = (event: AssistantEvent) => {
    if (event.type === "final" || event.type === "aborted" || event.type === "error") terminal = true;
    channel.push(event);
  };
  let resolveResult!: (result: ReplyResult) => void;
  const result = new Promise<ReplyResult>((resolve) => {
    resolveResult = resolve;
  });
  void result.then((reply) => {
    const event = terminal ? undefined : terminalEvent(reply, messageId, sessionKey);
    if (event) channel.push(event);
    channel.close();
    runs.ended(messageId, context.now());
  });
  const pending: PendingMessage = {
    id: messageId,
    text: input.text,
    receivedAt: context.now(),
    senderLabel:
      input.sender?.name ??
      (input.sender?.id && input.sender.id !== "operator" ? input.sender.id : undefined),
    options: input as unknown as Record<string, unknown>,
    observers: new Set([observer]),
    resolve: resolveResult,
    settled: false,
  };
  const handle: SubmitHandle = { messageId, sessionKey, result, events: channel, duplicate: false };
  const settle: Settle = (reply) => {
    if (pending.settled) return;
    pending.settled = true;
    resolveResult({ messageId, sessionKey, ...reply });
  };
  return { handle, pending, settle };
}

/** Chat intake: every message (chat.send, agent, channels, internal steps) enters here. */
export function createChatIntake(context: AssistantContext) {
  const intake = new Map<string, Promise<void>>();
  const idempotent = new Map<string, RememberedHandle>();
  const runs = new RunRecords();

  /** Remember the run (agent.wait) and the idempotency key (bounded). */
  function remember(handle: SubmitHandle, idempotencyKey: string | undefined) {
    runs.add(handle, context.now());
    if (!idempotencyKey) return;
    idempotent.set(idempotencyKey, {
      messageId: handle.messageId,
      sessionKey: handle.sessionKey,
      result: handle.result,
    });
    if (idempotent.size > 10_000) idempotent.delete(idempotent.keys().next().value!);
  }

  /** A message that cannot be taken: closing, or empty. */
  function refusal(input: SendInput): Omit<ReplyResult, "messageId" | "sessionKey"> | undefined {
    if (context.closed())
      return {
        status: "error",
        text: "The assistant is shutting down; message not processed.",
        payloads: [],
        error: { code: "UNAVAILABLE", kind: "unknown", message: "closed" },
      };
    if (typeof input.text !== "string" || (!input.text.trim() && !input.images?.length))
      return {
        status: "error",
        text: "Empty message: nothing to answer.",
        payloads: [],
        error: { code: "INVALID_REQUEST", kind: "unknown", message: "empty message" },
      };
    return undefined;
  }

  /**
   * In arrival order per session: the session's stored queue mode, then the command (a bare `/new`
   * and "<reset trigger> <text>" go on to the fresh session) or the session queue.
   */
  function enter(
    input: SendInput,
    target: { sessionKey: string; agentId: string },
    pending: PendingMessage,
    settle: Settle,
  ) {
    const { sessionKey, agentId } = target;
    const mayCommand = input.sender?.authorized !== false && context.config.commands?.text !== false;
    const trigger =
      input.sender?.authorized === false
        ? undefined
        : matchResetTrigger(input.text, context.config.session?.resetTriggers);
    const command = trigger ? { name: "reset", args: "" } : mayCommand ? parseCommand(input.text) : undefined;
    if (command?.name === "stop") {
      // /stop acts at once, ahead of anything queued
      void runCommand(command, commandHost(context, sessionKey, agentId, input.sender)).then(async (text) => {
        await publishCommandReply(context, target, pending.id, { command: input.text, text });
        settle({ status: "command", text, payloads: [{ text }] });
      });
      return;
    }
    const previous = intake.get(sessionKey) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (!context.queueModes.has(sessionKey)) {
        const entry = await context.store.get(agentId, sessionKey).catch(() => undefined);
        const mode = normalizeQueueMode(entry?.queueMode);
        if (mode) context.queueModes.set(sessionKey, mode);
      }
      // `/<skill> args`: a user-invocable skill, to the model with its instructions or to its tool
      const skill =
        !command && mayCommand && input.text.trimStart().startsWith("/")
          ? await (await import("../skills/dispatch.js"))
              .dispatchSkillCommand(context, { sessionKey, agentId, text: input.text })
              .catch(() => undefined)
          : undefined;
      if (skill?.kind === "reply") {
        await publishCommandReply(context, target, pending.id, { command: input.text, text: skill.text });
        return settle({ status: "command", text: skill.text, payloads: [{ text: skill.text }] });
      }
      if (skill) pending.text = skill.text;
      if (!command) return context.queueFor(sessionKey, agentId).submit(pending);
      // /compact waits for the session lane itself (sessions.compact)
      const text = await runCommand(command, commandHost(context, sessionKey, agentId, input.sender));
      const fresh = text.startsWith("New session started");
      // a bare /new greets: the first turn of the fresh session answers this message;
      // "<trigger> <text>": the fresh session answers the text
      const followUp =
        command.name === "new" && !command.args && fresh
          ? NEW_SESSION_GREETING
          : trigger?.rest && fresh
            ? trigger.rest
            : undefined;
      if (followUp === undefined) {
        await publishCommandReply(context, target, pending.id, { command: input.text, text });
        return settle({ status: "command", text, payloads: [{ text }] });
      }
      pending.text = followUp;
      context.queueFor(sessionKey, agentId).submit(pending);
    });
    const tail = next.catch((error) =>
      settle({
        status: "error",
        text: `Internal error: ${String(error)}`,
        payloads: [],
        error: { code: "INTERNAL", kind: "unknown", message: String(error) },
      }),
    );
    intake.set(sessionKey, tail);
    void tail.then(() => {
      if (intake.get(sessionKey) === tail) intake.delete(sessionKey);
    });
  }

  const submit = (input: SendInput): SubmitHandle => {
    if (input.idempotencyKey) {
      const seen = idempotent.get(input.idempotencyKey);
      if (seen) return { ...seen, duplicate: true, events: replayedEvents(seen) };
    }
    const agentId =
      input.agentId ??
      (input.sessionKey ? parseAgentSessionKey(input.sessionKey)?.agentId : undefined) ??
      context.defaultAgentId;
    const sessionKey = context.resolveKey(input.sessionKey, agentId);
    const { handle, pending, settle } = openHandle(context, runs, input, sessionKey);
    remember(handle, input.idempotencyKey);
    const refused = refusal(input);
    if (refused) settle(refused);
    else enter(input, { sessionKey, agentId }, pending, settle);
    return handle;
  };

  return {
    submit,
    waitForRun: (runId: string, timeoutMs?: number) => runs.wait(runId, context.now, timeoutMs),
  };
}
