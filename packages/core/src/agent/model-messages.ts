import type {
  LanguageModelV1ImagePart,
  LanguageModelV1Message,
  LanguageModelV1TextPart,
  LanguageModelV1ToolResultPart,
} from "@openclaw/protocol";
import type { MessageEntry, TranscriptMessage } from "./transcript.js";

export const SUMMARY_PREFIX = "[Summary of the earlier conversation, written when it was compacted]\n";

function userText(message: TranscriptMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
}

type UserPart = LanguageModelV1TextPart | LanguageModelV1ImagePart;

/** A user message's prompt parts: its text, then its images. */
function userParts(message: Extract<TranscriptMessage, { role: "user" }>): UserPart[] {
  const text = userText(message);
  const parts: UserPart[] = text ? [{ type: "text", text }] : [];
  if (typeof message.content !== "string")
    for (const block of message.content)
      if (block.type === "image" && block.data)
        parts.push({ type: "image", data: block.data, mediaType: block.mimeType });
  return parts;
}

/**
 * Whether a model takes image input: its `models.providers.<id>.models[].input` when the config
 * lists one, else yes (every bundled provider sends image parts; the vendor decides).
 */
export function acceptsImages(info: { input?: readonly string[] } | undefined): boolean {
  return info?.input === undefined || info.input.includes("image");
}

/** The prompt for a model without image input: each image becomes a short text note. */
export function withoutImages(messages: LanguageModelV1Message[]): LanguageModelV1Message[] {
  if (
    !messages.some(
      (message) => message.role === "user" && message.content.some((part) => part.type === "image"),
    )
  )
    return messages;
  return messages.map((message) =>
    message.role === "user"
      ? {
          ...message,
          content: message.content.map((part) =>
            part.type === "image"
              ? { type: "text" as const, text: "[image omitted: this model does not accept images]" }
              : part,
          ),
        }
      : message,
  );
}

/**
 * Transcript context → provider prompt. Keeps every tool call paired with a result: a call whose
 * result is missing (crash, abort) gets a synthetic error result, and a result whose call is not
 * in context (cut by compaction) is dropped.
 */
export function toModelMessages(context: {
  summary?: string;
  entries: MessageEntry[];
}): LanguageModelV1Message[] {
  const messages: LanguageModelV1Message[] = [];
  if (context.summary)
    messages.push({ role: "user", content: [{ type: "text", text: SUMMARY_PREFIX + context.summary }] });
  let openCalls = new Map<string, string>();
  const closeOpenCalls = () => {
    if (openCalls.size === 0) return;
    const results: LanguageModelV1ToolResultPart[] = [...openCalls].map(([toolCallId, toolName]) => ({
      type: "tool-result",
      toolCallId,
      toolName,
      output: "Tool result missing (the run was interrupted before the tool finished).",
      isError: true,
    }));
    const last = messages[messages.length - 1];
    if (last?.role === "tool") last.content.push(...results);
    else messages.push({ role: "tool", content: results });
    openCalls = new Map();
  };
  for (const { message } of context.entries) {
    if (message.role === "user") {
      closeOpenCalls();
      const content = userParts(message);
      if (content.length) messages.push({ role: "user", content });
    } else if (message.role === "assistant") {
      closeOpenCalls();
      const content: Extract<LanguageModelV1Message, { role: "assistant" }>["content"] = [];
      for (const block of message.content) {
        if (block.type === "text" && block.text) content.push({ type: "text", text: block.text });
        else if (block.type === "toolCall") {
          content.push({
            type: "tool-call",
            toolCallId: block.id,
            toolName: block.name,
            input: block.arguments,
          });
          openCalls.set(block.id, block.name);
        }
      }
      if (content.length) messages.push({ role: "assistant", content });
    } else if (message.role === "toolResult") {
      if (!openCalls.has(message.toolCallId)) continue;
      openCalls.delete(message.toolCallId);
      const part: LanguageModelV1ToolResultPart = {
        type: "tool-result",
        toolCallId: message.toolCallId,
        toolName: message.toolName,
        output: message.content.map((block) => (block.type === "text" ? block.text : "[image]")).join(""),
        isError: message.isError || undefined,
      };
      const last = messages[messages.length - 1];
      if (last?.role === "tool") last.content.push(part);
      else messages.push({ role: "tool", content: [part] });
    }
  }
  closeOpenCalls();
  return messages;
}
