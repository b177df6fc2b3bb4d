import type { AssistantBus } from "../bus/event-bus.js";
import type { AssistantEvent, ReplyResult } from "./events.js";
import type { LaneName, LaneScheduler } from "./lanes.js";
import type { TurnOutcome } from "./run.js";

export const QUEUE_MODES = ["steer", "followup", "collect", "interrupt"] as const;
export type QueueMode = (typeof QUEUE_MODES)[number];
export type QueueDrop = "summarize" | "old" | "new";

export function normalizeQueueMode(value: unknown): QueueMode | undefined {
  if (value === "queue") return "followup";
  if (value === "steer-backlog") return "steer";
  return (QUEUE_MODES as readonly unknown[]).includes(value) ? (value as QueueMode) : undefined;
}

/** One inbound message waiting for (or being answered by) a turn. */
export interface PendingMessage {
  id: string;
  text: string;
  receivedAt: number;
  senderLabel?: string;
  /** Turn options carried by the message (the first message of a batch decides). */
  options: Record<string, unknown>;
  observers: Set<(event: AssistantEvent) => void>;
  resolve(result: ReplyResult): void;
  settled: boolean;
}

export interface TurnBatch {
  runId: string;
  messages: PendingMessage[];
  /** Messages dropped from a full queue, summarized into this turn. */
  overflow: PendingMessage[];
  text: string;
  signal: AbortSignal;
  drainSteered(): string[];
  observe(event: AssistantEvent): void;
}

export interface SessionQueueOptions {
  sessionKey: string;
  lanes: LaneScheduler;
  bus: AssistantBus;
  /** The queue mode for a message (its channel may have its own: `messages.queue.byChannel`). */
  mode(message?: PendingMessage): QueueMode;
  cap(): number;
  drop(): QueueDrop;
  runTurn(batch: TurnBatch): Promise<TurnOutcome>;
  /** Global lane for a turn started by this message (default `main`). */
  laneOf?(message: PendingMessage): LaneName;
  /** Called when the queue holds nothing any more (the owner may forget it). */
  onIdle?(): void;
}

interface ActiveRun {
  runId: string;
  controller: AbortController;
  messages: PendingMessage[];
  steered: PendingMessage[];
  consumedSteered: PendingMessage[];
}

function preview(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The text of a turn made of several inbound messages. */
export function mergeMessages(messages: PendingMessage[], overflow: PendingMessage[]): string {
  const parts: string[] = [];
  if (overflow.length)
    parts.push(
      `[Queue overflow: ${overflow.length} earlier message${overflow.length === 1 ? " was" : "s were"} summarized]\n${overflow
        .map(
          (message, index) =>
            `${index + 1}. ${message.senderLabel ? `${message.senderLabel}: ` : ""}${preview(message.text)}`,
        )
        .join("\n")}`,
    );
  if (messages.length === 1 && !overflow.length) return messages[0]!.text;
  if (messages.length === 1) parts.push(messages[0]!.text);
  else if (messages.length > 1)
    parts.push(
      `[${messages.length} messages arrived while you were busy; answer them together]\n${messages
        .map(
          (message, index) =>
            `--- message ${index + 1}${message.senderLabel ? ` from ${message.senderLabel}` : ""}\n${message.text}`,
        )
        .join("\n")}`,
    );
  return parts.join("\n\n");
}

/**
 * Per-session inbound queue. While a run is active, new messages are handled by the mode:
 * `collect` merges them into the next turn, `followup` runs them one by one, `steer` injects
 * them into the running turn at its next boundary, `interrupt` aborts the run and answers the
 * newest together with anything still queued. Every message is settled exactly once.
 */
export class SessionQueue {
  readonly pending: PendingMessage[] = [];
  private overflow: PendingMessage[] = [];
  active: ActiveRun | undefined;
  private scheduled = false;
  private runCounter = 0;

  constructor(private readonly options: SessionQueueOptions) {}

  get depth(): number {
    return this.pending.length + this.overflow.length;
  }

  get busy(): boolean {
    return this.active !== undefined || this.scheduled || this.pending.length > 0;
  }

  submit(message: PendingMessage): void {
    const mode = this.options.mode(message);
    const active = this.active;
    // a message with images waits for its own turn (steered text joins the running turn as text)
    const images = (message.options as { images?: unknown[] }).images?.length;
    if (active && mode === "steer" && !images && !active.controller.signal.aborted) {
      active.steered.push(message);
      this.notify(message, {
        type: "merged",
        messageId: message.id,
        runId: active.runId,
        sessionKey: this.options.sessionKey,
        how: "steer",
      });
      this.options.bus.emit("queue", {
        sessionKey: this.options.sessionKey,
        action: "steered",
        count: active.steered.length,
      });
      return;
    }
    this.pending.push(message);
    if (active && mode === "interrupt" && !active.controller.signal.aborted)
      active.controller.abort(new Error("interrupted by a newer message"));
    this.enforceCap(message);
    if (active || this.scheduled)
      this.notify(message, {
        type: "queued",
        messageId: message.id,
        sessionKey: this.options.sessionKey,
        position: this.pending.indexOf(message) + 1,
        mode,
      });
    this.options.bus.emit("queue", {
      sessionKey: this.options.sessionKey,
      action: "queued",
      count: this.pending.length,
    });
    this.schedule();
  }

  private enforceCap(latest: PendingMessage): void {
    const cap = Math.max(1, this.options.cap());
    if (this.pending.length <= cap) return;
    const drop = this.options.drop();
    if (drop === "new") {
      this.pending.splice(this.pending.indexOf(latest), 1);
      this.settle(latest, {
        status: "error",
        text: `Queue full (${cap} messages waiting): this message was not processed. Send it again when the current reply is done.`,
        error: { code: "QUEUE_FULL", kind: "unknown", message: "queue full" },
      });
      this.options.bus.emit("queue", {
        sessionKey: this.options.sessionKey,
        action: "dropped",
        count: 1,
        detail: "new",
      });
      return;
    }
    const excess = this.pending.splice(0, this.pending.length - cap);
    if (drop === "old") {
      for (const message of excess)
        this.settle(message, {
          status: "error",
          text: `Queue full (${cap} messages waiting): this older message was dropped unanswered.`,
          error: { code: "QUEUE_FULL", kind: "unknown", message: "queue full" },
        });
      this.options.bus.emit("queue", {
        sessionKey: this.options.sessionKey,
        action: "dropped",
        count: excess.length,
        detail: "old",
      });
      return;
    }
    this.overflow.push(...excess);
    this.options.bus.emit("queue", {
      sessionKey: this.options.sessionKey,
      action: "overflow",
      count: this.overflow.length,
    });
  }

  private schedule(): void {
    if (this.scheduled || this.active || (this.pending.length === 0 && this.overflow.length === 0)) return;
    this.scheduled = true;
    const first = this.overflow[0] ?? this.pending[0];
    const lane = first && this.options.laneOf ? this.options.laneOf(first) : "main";
    void this.options.lanes.run(this.options.sessionKey, () => this.runNext(), lane);
  }

  private takeBatch(): { messages: PendingMessage[]; overflow: PendingMessage[] } {
    const overflow = this.overflow;
    this.overflow = [];
    if (this.options.mode(this.pending[0]) === "followup")
      return { messages: this.pending.splice(0, 1), overflow };
    return { messages: this.pending.splice(0, this.pending.length), overflow };
  }

  private async runNext(): Promise<void> {
    this.scheduled = false;
    const { messages, overflow } = this.takeBatch();
    if (messages.length === 0 && overflow.length === 0) return;
    const all = [...overflow, ...messages];
    this.runCounter += 1;
    const runId = messages[0]?.id ?? overflow[0]!.id;
    const controller = new AbortController();
    const active: ActiveRun = { runId, controller, messages: all, steered: [], consumedSteered: [] };
    this.active = active;
    for (const message of all.slice(1))
      this.notify(message, {
        type: "merged",
        messageId: message.id,
        runId,
        sessionKey: this.options.sessionKey,
        how: overflow.includes(message) ? "overflow" : "collect",
      });
    if (all.length > 1)
      this.options.bus.emit("queue", {
        sessionKey: this.options.sessionKey,
        action: "merged",
        count: all.length,
      });
    let outcome: TurnOutcome;
    try {
      outcome = await this.options.runTurn({
        runId,
        messages,
        overflow,
        text: mergeMessages(messages, overflow),
        signal: controller.signal,
        drainSteered: () => {
          const taken = active.steered.splice(0, active.steered.length);
          active.consumedSteered.push(...taken);
          return taken.map((message) => message.text);
        },
        observe: (event) => {
          for (const message of [...all, ...active.consumedSteered, ...active.steered])
            this.notify(message, event);
        },
      });
    } catch (error) {
      outcome = {
        runId,
        status: "error",
        text: `Internal error: ${(error as Error)?.message ?? String(error)}`,
        silent: false,
        error: { code: "INTERNAL", kind: "unknown", message: String(error) },
      };
    }
    this.active = undefined;
    const interrupted =
      outcome.status === "aborted" &&
      controller.signal.reason instanceof Error &&
      /interrupted/.test(controller.signal.reason.message);
    const answered = [...all, ...active.consumedSteered];
    answered.forEach((message, index) => {
      const primary = index === 0;
      const payloads: { text: string }[] = [];
      if (outcome.status === "ok" && primary) {
        for (const notice of outcome.toolNotices ?? []) payloads.push({ text: notice });
        if (!outcome.silent && outcome.text)
          payloads.push({
            text: outcome.usageFooter ? `${outcome.text}\n\n${outcome.usageFooter}` : outcome.text,
          });
      }
      if (outcome.status === "ok")
        this.settle(message, {
          runId,
          status: primary ? "ok" : "merged",
          text: outcome.text,
          payloads,
          model: outcome.model,
          usage: outcome.usage,
        });
      else if (outcome.status === "aborted")
        this.settle(message, {
          runId,
          status: "aborted",
          text: interrupted
            ? "Interrupted by a newer message; answering that one instead."
            : outcome.text || "Stopped.",
          payloads: [],
          model: outcome.model,
        });
      else
        this.settle(message, {
          runId,
          status: "error",
          text: outcome.text,
          payloads: primary ? [{ text: outcome.text }] : [],
          model: outcome.model,
          error: outcome.error,
        });
    });
    // steered messages the run never reached go first in line
    if (active.steered.length) this.pending.unshift(...active.steered);
    if (this.pending.length || this.overflow.length) this.schedule();
    else this.options.onIdle?.();
  }

  /**
   * Abort one run by id (`chat.abort { runId }`): the active run when it matches, else the queued
   * message with that id. Returns false when nothing matched.
   */
  abortRun(runId: string): boolean {
    if (this.active?.runId === runId) {
      if (this.active.controller.signal.aborted) return false;
      this.active.controller.abort(new Error("stopped"));
      return true;
    }
    for (const list of [this.pending, this.overflow]) {
      const index = list.findIndex((message) => message.id === runId);
      if (index !== -1) {
        const [message] = list.splice(index, 1);
        this.settle(message!, { status: "aborted", text: "Stopped before it started.", payloads: [] });
        return true;
      }
    }
    return false;
  }

  /** `/stop`: abort the active run and answer everything queued with an explicit notice. */
  stop(reason = "Stopped."): { aborted: boolean; cleared: number } {
    const aborted = this.active !== undefined && !this.active.controller.signal.aborted;
    if (this.active) {
      this.active.controller.abort(new Error("stopped"));
      const steered = this.active.steered.splice(0, this.active.steered.length);
      for (const message of steered) this.settle(message, { status: "aborted", text: reason, payloads: [] });
    }
    const cleared = [...this.overflow, ...this.pending];
    this.overflow = [];
    this.pending.length = 0;
    for (const message of cleared)
      this.settle(message, { status: "aborted", text: `${reason} (queued message cleared)`, payloads: [] });
    if (cleared.length)
      this.options.bus.emit("queue", {
        sessionKey: this.options.sessionKey,
        action: "cleared",
        count: cleared.length,
      });
    return { aborted, cleared: cleared.length };
  }

  private notify(message: PendingMessage, event: AssistantEvent): void {
    for (const observer of message.observers) {
      try {
        observer(event);
      } catch {}
    }
  }

  private settle(
    message: PendingMessage,
    result: Omit<ReplyResult, "messageId" | "sessionKey" | "payloads"> & {
      payloads?: ReplyResult["payloads"];
    },
  ): void {
    if (message.settled) return;
    message.settled = true;
    message.resolve({ messageId: message.id, sessionKey: this.options.sessionKey, payloads: [], ...result });
  }
}
