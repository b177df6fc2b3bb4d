import { ensureSessionEntry } from "../agent/run.js";
import type { CustomEntry, TranscriptEntry, TranscriptMessage } from "../agent/transcript.js";
import type { AssistantContext } from "../assistant-context.js";

/**
 * `customType` of the transcript entry that records a chat command and its reply. A `custom`
 * entry is extension state in OpenClaw's transcript format: it never enters the model's context
 * (ours skips every non-`message` entry too), and real OpenClaw reads past it.
 */
export const COMMAND_ENTRY_TYPE = "openclaw.command";

export interface CommandEntryData {
  /** What the user sent (`/status`, `/model openai/gpt-5`, …). */
  command: string;
  /** What the command answered. */
  reply: string;
  runId: string;
}

/** A history message made from a command entry: marked `command: true`. */
export type CommandHistoryMessage = TranscriptMessage & { command: true };

/**
 * A chat command's reply (`/status`, `/model …`, `/reset`, …): recorded in the session's
 * transcript as a `custom` entry (so `chat.history` shows the command and its reply after a
 * reload, and the model never sees them), then sent as the `chat` final event of the command
 * message's run id, so the client that sent it (WebChat, `chat.send` callers) shows it like any
 * answer. After `/reset` the entry goes to the fresh session.
 */
export async function publishCommandReply(
  context: AssistantContext,
  target: { sessionKey: string; agentId: string },
  runId: string,
  reply: { command: string; text: string },
): Promise<void> {
  const { sessionKey, agentId } = target;
  const { text } = reply;
  if (!text.trim()) return;
  try {
    const { entry } = await ensureSessionEntry(context.deps, agentId, sessionKey);
    const transcript = await context.transcripts.get(agentId, entry, context.workspaceDir(agentId));
    const data: CommandEntryData = { command: reply.command, reply: text, runId };
    await transcript.append({ type: "custom", customType: COMMAND_ENTRY_TYPE, data });
  } catch {
    // the reply still reaches the client; only the history misses it
  }
  context.bus.emit("chat", {
    runId,
    sessionKey,
    seq: 1,
    state: "final",
    message: {
      role: "assistant",
      content: [{ type: "text", text }],
      timestamp: context.now(),
      command: true,
    },
  });
}

/**
 * The history messages of a command entry: the command as a user message, its reply as an
 * assistant message, both marked `command: true`. Other entries give none.
 */
export function commandHistoryMessages(entry: TranscriptEntry): CommandHistoryMessage[] {
  if (entry.type !== "custom" || (entry as CustomEntry).customType !== COMMAND_ENTRY_TYPE) return [];
  const data = (entry as CustomEntry).data as Partial<CommandEntryData> | undefined;
  if (typeof data?.reply !== "string") return [];
  const timestamp = Date.parse(entry.timestamp) || 0;
  const messages: CommandHistoryMessage[] = [];
  if (typeof data.command === "string" && data.command)
    messages.push({
      role: "user",
      content: [{ type: "text", text: data.command }],
      timestamp,
      command: true,
    });
  messages.push({
    role: "assistant",
    content: [{ type: "text", text: data.reply }],
    provider: "openclaw",
    model: "command",
    usage: {
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
      totalTokens: 0,
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
    },
    stopReason: "stop",
    timestamp,
    command: true,
  });
  return messages;
}
