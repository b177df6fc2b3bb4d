import type { AssistantContext } from "../assistant-context.js";

/**
 * A chat command's reply (`/status`, `/model …`, `/reset`, …) is sent as the `chat` final event
 * of the command message's run id, so the client that sent it (WebChat, `chat.send` callers)
 * shows it like any answer. It is not written to the transcript: it would enter the model's
 * context on the next turn (docs/compat.md).
 */
export function publishCommandReply(
  context: AssistantContext,
  sessionKey: string,
  runId: string,
  text: string,
): void {
  if (!text.trim()) return;
  context.bus.emit("chat", {
    runId,
    sessionKey,
    seq: 1,
    state: "final",
    message: { role: "assistant", content: [{ type: "text", text }], timestamp: context.now() },
  });
}
