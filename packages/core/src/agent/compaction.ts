import type { LoadedTranscript } from "./session-handle.js";
import { estimateMessageTokens, type MessageEntry, type TranscriptMessage } from "./transcript.js";

export interface CompactionSettings {
  /** Context window in tokens of the model in use. */
  contextWindow: number;
  /** Tokens kept free for the reply and tool output. */
  reserveTokens: number;
  /** Tokens of recent messages kept verbatim after compaction. */
  keepRecentTokens: number;
  memoryFlush: { enabled: boolean; softThresholdTokens: number; prompt: string };
}

export const DEFAULT_CONTEXT_WINDOW = 200_000;

/** Read `agents.defaults.compaction` (+ contextTokens) into concrete numbers for one model. */
export function compactionSettings(
  compaction: Record<string, unknown> | undefined,
  contextWindow: number,
): CompactionSettings {
  const config = compaction ?? {};
  const number = (value: unknown, fallback: number) =>
    typeof value === "number" && value >= 0 ? value : fallback;
  const reserveTokens = Math.min(
    number(config.reserveTokens ?? config.reserveTokensFloor, 20_000),
    Math.floor(contextWindow * 0.5),
  );
  const flush = (config.memoryFlush ?? {}) as Record<string, unknown>;
  return {
    contextWindow,
    reserveTokens,
    keepRecentTokens: Math.min(number(config.keepRecentTokens, 20_000), Math.floor(contextWindow * 0.3)),
    memoryFlush: {
      enabled: flush.enabled !== false,
      softThresholdTokens: Math.min(
        number(flush.softThresholdTokens, 4_000),
        Math.floor(contextWindow * 0.1),
      ),
      prompt:
        typeof flush.prompt === "string"
          ? flush.prompt
          : "Pre-compaction memory flush: the conversation is about to be compacted. Write anything worth keeping (decisions, facts, open tasks) to memory/YYYY-MM-DD.md with the write or edit tool, then reply with exactly NO_REPLY.",
    },
  };
}

function renderMessage(message: TranscriptMessage): string {
  if (message.role === "user")
    return `User: ${typeof message.content === "string" ? message.content : message.content.map((b) => (b.type === "text" ? b.text : "[image]")).join("")}`;
  if (message.role === "assistant") {
    const parts = message.content.map((block) => {
      if (block.type === "text") return block.text;
      if (block.type === "toolCall")
        return `[called ${block.name} ${JSON.stringify(block.arguments).slice(0, 300)}]`;
      return "";
    });
    return `Assistant: ${parts.filter(Boolean).join(" ")}`;
  }
  const text = message.content.map((b) => (b.type === "text" ? b.text : "[image]")).join("");
  return `Tool ${message.toolName}${message.isError ? " (error)" : ""}: ${text.length > 1500 ? `${text.slice(0, 1500)}…` : text}`;
}

export function renderForSummary(entries: MessageEntry[], previousSummary?: string): string {
  const lines = entries.map((entry) => renderMessage(entry.message));
  return `${previousSummary ? `Earlier summary:\n${previousSummary}\n\n` : ""}Conversation to summarize:\n${lines.join("\n")}`;
}

/**
 * Pick the first entry to keep: the newest user message such that the kept tail fits
 * `keepRecentTokens`. Cutting only at user messages keeps every tool call with its result.
 */
export function chooseCutPoint(entries: MessageEntry[], keepRecentTokens: number): number {
  let tokens = 0;
  let cut = -1;
  for (let index = entries.length - 1; index > 0; index--) {
    tokens += estimateMessageTokens(entries[index]!.message);
    if (entries[index]!.message.role === "user") {
      if (tokens > keepRecentTokens && cut !== -1) break;
      cut = index;
    }
  }
  return cut;
}

export interface CompactionResult {
  compacted: boolean;
  tokensBefore: number;
  tokensAfter: number;
  reason?: string;
}

/** Summarize older context into a `compaction` entry; the recent tail stays verbatim. */
export async function compactTranscript(
  transcript: LoadedTranscript,
  settings: Pick<CompactionSettings, "keepRecentTokens">,
  summarize: (input: string) => Promise<string>,
  instructions?: string,
): Promise<CompactionResult> {
  const tokensBefore = transcript.contextTokens();
  const context = transcript.context();
  const cut = chooseCutPoint(context.entries, settings.keepRecentTokens);
  if (cut <= 0)
    return {
      compacted: false,
      tokensBefore,
      tokensAfter: tokensBefore,
      reason: "nothing old enough to compact",
    };
  const older = context.entries.slice(0, cut);
  const input = renderForSummary(older, context.summary) + (instructions ? `\n\nFocus: ${instructions}` : "");
  let summary: string;
  try {
    summary = (await summarize(input)).trim();
  } catch {
    summary = "";
  }
  if (!summary) {
    // the model could not summarize: keep a mechanical digest rather than losing the thread
    summary = `(mechanical digest; the summarizer was unavailable)\n${older
      .map((entry) => renderMessage(entry.message).slice(0, 200))
      .join("\n")}`.slice(0, 8_000);
  }
  await transcript.append({
    type: "compaction",
    summary,
    firstKeptEntryId: context.entries[cut]!.id,
    tokensBefore,
  });
  return { compacted: true, tokensBefore, tokensAfter: transcript.contextTokens() };
}

export const SUMMARY_SYSTEM_PROMPT =
  "You compress conversations. Write a faithful, compact summary of the conversation you are given: the user's goals, decisions, facts learned, files touched, tool results that still matter, and open tasks. Plain text, no preamble.";
